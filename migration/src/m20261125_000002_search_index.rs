//! The search index: one document per organisation, person, network and action, and the
//! vocabulary that typo-tolerant search corrects words against.
//!
//! The index is kept by triggers on the four tables, so every write (the API's write path,
//! the seed's bulk inserts, the CSV import, the load benchmark's synthetic rows) updates it
//! in the same transaction as the row, and no code path can forget it. The triggers index
//! the row's `search_text`, which the application derives (folded to lower case without
//! accents, see `src/domain/search/`), so both engines index the same words.
//!
//! - SQLite: `search_document` maps each row to an integer key (`doc`), which is the rowid
//!   of its entry in the FTS5 table `search_fts` (ranked by `bm25`). The rows' own rowids
//!   are not used because `VACUUM` may renumber the rowids of tables keyed by a UUID.
//! - PostgreSQL: `search_document` holds the text and its `tsvector` (the `simple`
//!   configuration: the text is already folded, and prefixes, not stems, carry Finnish
//!   endings), with a GIN index; `search_term` has a `pg_trgm` GIN index for typos.
//!
//! `search_term` only grows: a word that no row uses any more stays, and at worst offers a
//! correction that finds nothing. Words with digits and words shorter than four letters are
//! left out (typos are only forgiven in words).
//!
//! Existing rows are indexed (backfilled) when the migration runs.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000002_search_index"
    }
}

/// The tables whose rows search finds; the name is also the document's `kind`.
const TABLES: [&str; 4] = ["organisation", "person", "network", "action"];

/// Shortest word kept in the vocabulary.
const MIN_TERM: usize = 4;

/// SQLite: the words of `text` (an SQL expression) as a JSON array, for `json_each`. The
/// words are separated by single spaces; quotes, backslashes and control characters (which
/// the derived text never holds) make the array invalid and are then skipped.
fn sqlite_words(text: &str) -> String {
    let array = format!(
        r#"'["' || replace(replace(replace(trim({text}), '\', '\\'), '"', '\"'), ' ', '","') || '"]'"#
    );
    format!("json_each(CASE WHEN json_valid({array}) THEN {array} ELSE '[]' END)")
}

/// SQLite: adds the words of `text` to the vocabulary.
fn sqlite_add_terms(text: &str) -> String {
    format!(
        "INSERT OR IGNORE INTO search_term (term, len) SELECT value, length(value) FROM {} \
         WHERE length(value) >= {MIN_TERM} AND value NOT GLOB '*[0-9]*';",
        sqlite_words(text)
    )
}

fn sqlite_up() -> Vec<String> {
    let mut sql = vec![
        "CREATE TABLE search_document (doc INTEGER PRIMARY KEY, kind TEXT NOT NULL, \
         id BLOB NOT NULL UNIQUE)"
            .to_owned(),
        "CREATE VIRTUAL TABLE search_fts USING fts5(text, \
         tokenize = 'unicode61 remove_diacritics 2')"
            .to_owned(),
        "CREATE TABLE search_term (term TEXT PRIMARY KEY, len INTEGER NOT NULL) WITHOUT ROWID"
            .to_owned(),
        "CREATE INDEX search_term_len ON search_term (len, term)".to_owned(),
    ];
    for table in TABLES {
        sql.push(format!(
            "CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} BEGIN \
             INSERT INTO search_document (kind, id) VALUES ('{table}', NEW.id); \
             INSERT INTO search_fts (rowid, text) \
             SELECT doc, NEW.search_text FROM search_document WHERE id = NEW.id; \
             {} END",
            sqlite_add_terms("NEW.search_text")
        ));
        sql.push(format!(
            "CREATE TRIGGER {table}_search_update AFTER UPDATE OF search_text ON {table} BEGIN \
             UPDATE search_fts SET text = NEW.search_text \
             WHERE rowid = (SELECT doc FROM search_document WHERE id = NEW.id); \
             {} END",
            sqlite_add_terms("NEW.search_text")
        ));
        sql.push(format!(
            "CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} BEGIN \
             DELETE FROM search_fts \
             WHERE rowid = (SELECT doc FROM search_document WHERE id = OLD.id); \
             DELETE FROM search_document WHERE id = OLD.id; END"
        ));
        // Backfill.
        sql.push(format!(
            "INSERT INTO search_document (kind, id) SELECT '{table}', id FROM {table}"
        ));
        sql.push(format!(
            "INSERT INTO search_fts (rowid, text) SELECT d.doc, t.search_text \
             FROM search_document d JOIN {table} t ON t.id = d.id WHERE d.kind = '{table}'"
        ));
        sql.push(format!(
            "INSERT OR IGNORE INTO search_term (term, len) \
             SELECT value, length(value) FROM {table}, {} \
             WHERE length(value) >= {MIN_TERM} AND value NOT GLOB '*[0-9]*'",
            sqlite_words(&format!("{table}.search_text"))
        ));
    }
    sql
}

fn sqlite_down() -> Vec<String> {
    let mut sql = Vec::new();
    for table in TABLES {
        for event in ["insert", "update", "delete"] {
            sql.push(format!("DROP TRIGGER IF EXISTS {table}_search_{event}"));
        }
    }
    for table in ["search_term", "search_fts", "search_document"] {
        sql.push(format!("DROP TABLE IF EXISTS {table}"));
    }
    sql
}

/// PostgreSQL: the words of `text` worth keeping in the vocabulary, as a `FROM` item.
fn postgres_terms(text: &str) -> String {
    format!(
        "SELECT DISTINCT w, length(w) FROM regexp_split_to_table({text}, '\\s+') AS w \
         WHERE length(w) >= {MIN_TERM} AND w !~ '[0-9]'"
    )
}

fn postgres_up() -> Vec<String> {
    let mut sql = vec![
        "CREATE EXTENSION IF NOT EXISTS pg_trgm".to_owned(),
        "CREATE TABLE search_document (id uuid PRIMARY KEY, kind text NOT NULL, \
         text text NOT NULL, \
         vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED)"
            .to_owned(),
        "CREATE INDEX search_document_vector ON search_document USING GIN (vector)".to_owned(),
        "CREATE TABLE search_term (term text PRIMARY KEY, len integer NOT NULL)".to_owned(),
        "CREATE INDEX search_term_trigram ON search_term USING GIN (term gin_trgm_ops)".to_owned(),
        format!(
            "CREATE FUNCTION search_document_sync() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN \
               IF TG_OP = 'DELETE' THEN \
                 DELETE FROM search_document WHERE id = OLD.id; \
                 RETURN NULL; \
               END IF; \
               INSERT INTO search_document (id, kind, text) \
                 VALUES (NEW.id, TG_ARGV[0], NEW.search_text) \
                 ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text; \
               INSERT INTO search_term (term, len) {} ON CONFLICT (term) DO NOTHING; \
               RETURN NULL; \
             END $$",
            postgres_terms("NEW.search_text")
        ),
    ];
    for table in TABLES {
        sql.push(format!(
            "CREATE TRIGGER {table}_search AFTER INSERT OR UPDATE OF search_text OR DELETE \
             ON {table} FOR EACH ROW EXECUTE FUNCTION search_document_sync('{table}')"
        ));
        // Backfill.
        sql.push(format!(
            "INSERT INTO search_document (id, kind, text) \
             SELECT id, '{table}', search_text FROM {table}"
        ));
        sql.push(format!(
            "INSERT INTO search_term (term, len) SELECT DISTINCT w, length(w) \
             FROM {table}, regexp_split_to_table({table}.search_text, '\\s+') AS w \
             WHERE length(w) >= {MIN_TERM} AND w !~ '[0-9]' ON CONFLICT (term) DO NOTHING"
        ));
    }
    sql
}

fn postgres_down() -> Vec<String> {
    let mut sql = Vec::new();
    for table in TABLES {
        sql.push(format!("DROP TRIGGER IF EXISTS {table}_search ON {table}"));
    }
    sql.push("DROP FUNCTION IF EXISTS search_document_sync()".to_owned());
    sql.push("DROP TABLE IF EXISTS search_term".to_owned());
    sql.push("DROP TABLE IF EXISTS search_document".to_owned());
    sql
}

async fn run(manager: &SchemaManager<'_>, statements: Vec<String>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(&statement).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Sqlite => run(manager, sqlite_up()).await,
            DbBackend::Postgres => run(manager, postgres_up()).await,
            other => Err(DbErr::Custom(format!("no search index for {other:?}"))),
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Sqlite => run(manager, sqlite_down()).await,
            DbBackend::Postgres => run(manager, postgres_down()).await,
            other => Err(DbErr::Custom(format!("no search index for {other:?}"))),
        }
    }
}
