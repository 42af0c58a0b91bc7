//! The scylla driver against the real CQL server: a keyspace, a table clustered newest
//! first, inserts through a prepared statement, and reading back page by page.

use std::ops::ControlFlow;

use chat_runtime::connect;
use chat_test_kit::{cql_config, unique_name};
use scylla::response::PagingState;
use scylla::statement::unprepared::Statement;
use scylla::value::CqlTimeuuid;
use uuid::{Timestamp, Uuid};

const ROWS: u64 = 25;
const PAGE: i32 = 10;

#[tokio::test]
async fn prepared_inserts_page_back_newest_first() {
    let keyspace = unique_name("smoke");
    let session = connect::cql(&cql_config(&keyspace))
        .await
        .expect("CQL answers");
    session
        .query_unpaged(
            format!(
                "CREATE KEYSPACE {keyspace} WITH replication = \
                 {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
            ),
            &[],
        )
        .await
        .expect("create keyspace");
    session
        .query_unpaged(
            format!(
                "CREATE TABLE {keyspace}.messages (chat_id uuid, message_id timeuuid, content text, \
                 PRIMARY KEY (chat_id, message_id)) WITH CLUSTERING ORDER BY (message_id DESC)"
            ),
            &[],
        )
        .await
        .expect("create table");
    session
        .await_schema_agreement()
        .await
        .expect("schema agreement");

    let insert = session
        .prepare(format!(
            "INSERT INTO {keyspace}.messages (chat_id, message_id, content) VALUES (?, ?, ?)"
        ))
        .await
        .expect("prepare insert");
    let chat_id = Uuid::new_v4();
    // Time-ordered ids a second apart, inserted oldest first.
    let ids: Vec<CqlTimeuuid> = (0..ROWS)
        .map(|i| CqlTimeuuid::from(time_uuid(1_800_000_000 + i)))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        session
            .execute_unpaged(&insert, (chat_id, *id, format!("message {i}")))
            .await
            .expect("insert");
    }

    let mut select = Statement::new(format!(
        "SELECT message_id, content FROM {keyspace}.messages WHERE chat_id = ?"
    ));
    select.set_page_size(PAGE);
    let select = session.prepare(select).await.expect("prepare select");
    let mut paging = PagingState::start();
    let mut pages = 0;
    let mut read: Vec<(CqlTimeuuid, String)> = Vec::new();
    loop {
        let (result, next) = session
            .execute_single_page(&select, (chat_id,), paging)
            .await
            .expect("read a page");
        pages += 1;
        let rows = result.into_rows_result().expect("rows");
        for row in rows.rows::<(CqlTimeuuid, String)>().expect("typed rows") {
            read.push(row.expect("row"));
        }
        match next.into_paging_control_flow() {
            ControlFlow::Break(()) => break,
            ControlFlow::Continue(state) => paging = state,
        }
    }

    let newest_first: Vec<CqlTimeuuid> = ids.iter().rev().copied().collect();
    assert_eq!(
        read.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        newest_first
    );
    assert_eq!(read[0].1, format!("message {}", ROWS - 1));
    assert!(pages >= 3, "25 rows at 10 a page take 3 pages, got {pages}");

    session
        .query_unpaged(format!("DROP KEYSPACE {keyspace}"), &[])
        .await
        .expect("drop keyspace");
}

/// A version 1 (time-based) UUID for the given Unix second.
fn time_uuid(unix_seconds: u64) -> Uuid {
    // 100 ns ticks between the Gregorian epoch (1582-10-15) and the Unix epoch.
    const GREGORIAN_TO_UNIX_TICKS: u64 = 0x01B2_1DD2_1381_4000;
    let ticks = GREGORIAN_TO_UNIX_TICKS + unix_seconds * 10_000_000;
    Uuid::new_v1(
        Timestamp::from_gregorian_time(ticks, 0),
        &[1, 2, 3, 4, 5, 6],
    )
}
