//! CQL schema files (embedded from `cql/`), applied in file-name order into one keyspace.

use scylla::client::session::Session;

/// The `cql/*.cql` files as `(file name, contents)`, in order.
pub static FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/cql_files.rs"));

/// A CQL schema step that failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A keyspace name that is not a plain CQL identifier.
    #[error("keyspace name {0:?} must be letters, digits and underscores")]
    BadKeyspace(String),
    /// A statement the server refused.
    #[error("CQL file {file}: statement failed: {reason}\n{statement}")]
    Statement {
        /// The schema file.
        file: String,
        /// The statement text.
        statement: String,
        /// The server's answer.
        reason: String,
    },
}

/// How the keyspace replicates, e.g. `{'class': 'SimpleStrategy', 'replication_factor': 1}`.
pub const LOCAL_REPLICATION: &str = "{'class': 'SimpleStrategy', 'replication_factor': 1}";

/// Creates `keyspace` if missing and applies every file not yet recorded in its
/// `schema_migrations` table. Returns the names of the files applied now.
///
/// # Errors
/// When the keyspace name is not an identifier or a statement fails.
pub async fn apply(
    session: &Session,
    keyspace: &str,
    replication: &str,
) -> Result<Vec<&'static str>, Error> {
    if keyspace.is_empty()
        || !keyspace
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(Error::BadKeyspace(keyspace.to_owned()));
    }
    run(
        session,
        "keyspace",
        &format!("CREATE KEYSPACE IF NOT EXISTS {keyspace} WITH replication = {replication}"),
    )
    .await?;
    run(
        session,
        "schema_migrations",
        &format!(
            "CREATE TABLE IF NOT EXISTS {keyspace}.schema_migrations \
             (file text PRIMARY KEY, applied_at timestamp)"
        ),
    )
    .await?;
    let applied = applied_files(session, keyspace).await?;
    let mut now_applied = Vec::new();
    for (file, contents) in FILES {
        if applied.iter().any(|name| name == file) {
            continue;
        }
        run(session, file, &format!("USE {keyspace}")).await?;
        for statement in statements(contents) {
            run(session, file, &statement).await?;
        }
        run(
            session,
            file,
            &format!(
                "INSERT INTO {keyspace}.schema_migrations (file, applied_at) \
                 VALUES ('{file}', toTimestamp(now()))"
            ),
        )
        .await?;
        now_applied.push(*file);
    }
    Ok(now_applied)
}

/// Splits a schema file into statements: `--` comments dropped, `;` at a line end closes one.
/// (Our DDL has no semicolons inside string literals.)
fn statements(contents: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in contents.lines() {
        let line = line.split("--").next().unwrap_or_default().trim_end();
        if line.trim().is_empty() {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if line.ends_with(';') {
            out.push(current.trim().trim_end_matches(';').to_owned());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_owned());
    }
    out
}

async fn applied_files(session: &Session, keyspace: &str) -> Result<Vec<String>, Error> {
    let query = format!("SELECT file FROM {keyspace}.schema_migrations");
    let failed = |reason: String| Error::Statement {
        file: "schema_migrations".into(),
        statement: query.clone(),
        reason,
    };
    let rows = session
        .query_unpaged(query.as_str(), &[])
        .await
        .map_err(|e| failed(e.to_string()))?
        .into_rows_result()
        .map_err(|e| failed(e.to_string()))?;
    rows.rows::<(String,)>()
        .map_err(|e| failed(e.to_string()))?
        .map(|row| row.map(|(file,)| file).map_err(|e| failed(e.to_string())))
        .collect()
}

async fn run(session: &Session, file: &str, statement: &str) -> Result<(), Error> {
    session
        .query_unpaged(statement, &[])
        .await
        .map_err(|e| Error::Statement {
            file: file.to_owned(),
            statement: statement.to_owned(),
            reason: e.to_string(),
        })?;
    // DDL must be visible on every node before the next statement depends on it.
    session
        .await_schema_agreement()
        .await
        .map_err(|e| Error::Statement {
            file: file.to_owned(),
            statement: "(schema agreement)".into(),
            reason: e.to_string(),
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_drop_comments_and_split_on_line_end_semicolons() {
        let sql = "-- header\nCREATE TABLE a (\n  x int -- note\n);\n\nCREATE TABLE b (y int);\n";
        assert_eq!(
            statements(sql),
            vec!["CREATE TABLE a (\n  x int\n)", "CREATE TABLE b (y int)"]
        );
    }

    #[test]
    fn every_schema_file_is_embedded_in_order() {
        let names: Vec<_> = FILES.iter().map(|(name, _)| *name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert!(names.contains(&"001_messages.cql"));
    }
}
