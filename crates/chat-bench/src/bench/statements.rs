//! What one send costs the database, counted by `pg_stat_statements`: statements per
//! send, in total and for the most frequent ones. The local cluster preloads the
//! extension (`deploy/local/postgres/chat-local.conf`); elsewhere this is skipped.

use sqlx::PgPool;

use super::report::Figure;

/// Statements listed one by one (the most frequent).
const LISTED: usize = 12;

/// Starts counting from zero; `false` when the extension is not available here.
pub async fn reset(pool: &PgPool) -> bool {
    let ready = async {
        sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            .execute(pool)
            .await?;
        sqlx::query("SELECT pg_stat_statements_reset()")
            .execute(pool)
            .await
    };
    match ready.await {
        Ok(_) => true,
        Err(e) => {
            eprintln!("note: statements per send not counted ({e})");
            false
        }
    }
}

/// The statements run in this database since [`reset`], per send: the total and the
/// most frequent ones (the text shortened).
///
/// # Errors
/// When the counts cannot be read.
pub async fn per_send(pool: &PgPool, sends: u64, how: &str) -> anyhow::Result<Vec<Figure>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT query, calls FROM pg_stat_statements \
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
         ORDER BY calls DESC",
    )
    .fetch_all(pool)
    .await?;
    let per_send = |calls: i64| calls as f64 / sends.max(1) as f64;
    let total: i64 = rows.iter().map(|(_, calls)| calls).sum();
    let mut figures = vec![Figure::new(
        "PostgreSQL statements per send",
        per_send(total),
        "statements",
        None,
        how,
    )];
    for (query, calls) in rows.iter().take(LISTED) {
        figures.push(Figure::new(
            &format!("statements per send: {}", shorten(query)),
            per_send(*calls),
            "statements",
            None,
            how,
        ));
    }
    Ok(figures)
}

/// The statement on one line, cut to 70 characters.
fn shorten(query: &str) -> String {
    let line = query.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = line.chars().take(70).collect();
    if cut.len() < line.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_shown_on_one_short_line() {
        assert_eq!(shorten("SELECT 1\n  FROM t"), "SELECT 1 FROM t");
        assert_eq!(shorten(&"x".repeat(100)).chars().count(), 71);
    }
}
