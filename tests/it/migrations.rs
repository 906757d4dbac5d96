//! The SQLite and PostgreSQL migrations define the same schema: the same
//! tables, the same columns with comparable types and nullability, and the
//! same explicitly created indexes. They may differ only in how an identity
//! column is written (`INTEGER PRIMARY KEY AUTOINCREMENT` against
//! `BIGINT GENERATED ALWAYS AS IDENTITY`). Both are applied to fresh
//! databases by the store, as at startup, and their catalogs compared.

use std::collections::BTreeMap;

use fts_assistant::store::Store;
use sqlx::Row;

use crate::common::{fresh_database, Db};

/// One column as both engines can describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    /// `bigint`, `text`, or `identity` for the surrogate key.
    kind: String,
    not_null: bool,
}

/// Table name → column name → column.
type Tables = BTreeMap<String, BTreeMap<String, Column>>;

async fn migrated(db: Db) -> Option<(Store, crate::common::TestDb)> {
    let test_db = fresh_database(db).await?;
    let store = Store::open(&test_db.url).await.expect("migrations apply");
    Some((store, test_db))
}

async fn sqlite_tables(store: &Store) -> Tables {
    let names: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(store.pool())
    .await
    .expect("sqlite tables")
    .iter()
    .map(|row| row.get(0))
    .collect();
    let mut tables = Tables::new();
    for table in names {
        let rows =
            sqlx::query("SELECT name, UPPER(type), \"notnull\", pk FROM pragma_table_info(?)")
                .bind(&table)
                .fetch_all(store.pool())
                .await
                .expect("pragma table_info");
        let columns = rows
            .iter()
            .map(|row| {
                let name: String = row.get(0);
                let declared: String = row.get(1);
                let not_null: i64 = row.get(2);
                let primary_key: i64 = row.get(3);
                // `INTEGER PRIMARY KEY` is SQLite's rowid alias, the identity
                // column; every other column is declared BIGINT or TEXT.
                let kind = match declared.as_str() {
                    "INTEGER" if primary_key == 1 => "identity".to_string(),
                    other => other.to_lowercase(),
                };
                // A primary key is never NULL on PostgreSQL; SQLite reports
                // NOT NULL only where it is written out.
                let column = Column {
                    kind,
                    not_null: not_null == 1 || primary_key > 0,
                };
                (name, column)
            })
            .collect();
        tables.insert(table, columns);
    }
    tables
}

async fn postgres_tables(store: &Store) -> Tables {
    let rows = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text, \
                is_nullable::text, is_identity::text \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations' \
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(store.pool())
    .await
    .expect("information_schema.columns");
    let mut tables = Tables::new();
    for row in rows {
        let table: String = row.get(0);
        let name: String = row.get(1);
        let data_type: String = row.get(2);
        let nullable: String = row.get(3);
        let identity: String = row.get(4);
        let kind = if identity == "YES" {
            "identity".to_string()
        } else {
            data_type
        };
        let column = Column {
            kind,
            not_null: nullable == "NO",
        };
        tables.entry(table).or_default().insert(name, column);
    }
    tables
}

/// Indexes written as `CREATE INDEX` (not those behind a primary key or a
/// UNIQUE constraint, which both engines name their own way).
async fn created_indexes(store: &Store, db: Db) -> Vec<String> {
    let sql = match db {
        Db::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
        }
        Db::Postgres => {
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' \
             AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname"
        }
    };
    sqlx::query(sql)
        .fetch_all(store.pool())
        .await
        .expect("indexes")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_migrations_define_the_same_schema() {
    let (sqlite, _sqlite_db) = migrated(Db::Sqlite).await.expect("SQLite always runs");
    let Some((postgres, _postgres_db)) = migrated(Db::Postgres).await else {
        return;
    };
    let sqlite_tables = sqlite_tables(&sqlite).await;
    let postgres_tables = postgres_tables(&postgres).await;
    assert!(
        sqlite_tables.len() > 5,
        "read the catalog: {sqlite_tables:?}"
    );
    assert_eq!(
        sqlite_tables.keys().collect::<Vec<_>>(),
        postgres_tables.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (table, columns) in &sqlite_tables {
        assert_eq!(
            columns, &postgres_tables[table],
            "columns of {table} (left SQLite, right PostgreSQL)"
        );
    }
    assert_eq!(
        created_indexes(&sqlite, Db::Sqlite).await,
        created_indexes(&postgres, Db::Postgres).await,
        "the same indexes"
    );
    sqlite.close().await;
    postgres.close().await;
}
