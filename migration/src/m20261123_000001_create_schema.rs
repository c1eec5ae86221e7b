//! The first schema: every table of the domain with its foreign keys, unique constraints
//! and an index for every column the API filters or joins on.
//!
//! Foreign keys are declared inside `CREATE TABLE` because SQLite cannot add them later.
//! Enumerations are short upper-case strings; ids are UUIDs; editable rows carry
//! `created_at`, `updated_at` and an optimistic-concurrency `version`.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000001_create_schema"
    }
}

/// Length of the enumeration columns.
const ENUM_LEN: u32 = 32;

/// Adds the bookkeeping columns every editable row has.
fn versioned(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .col(integer("version").default(1))
}

/// A foreign key from `table.column` to `target.id`.
fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A two-column primary key for a join table.
fn pair_key(table: &'static str, a: &'static str, b: &'static str) -> IndexCreateStatement {
    Index::create()
        .name(format!("pk_{table}"))
        .col(a)
        .col(b)
        .primary()
        .to_owned()
}

/// Every table with its indexes, in creation order (referenced tables first).
fn tables() -> Vec<(TableCreateStatement, Vec<IndexCreateStatement>)> {
    use ForeignKeyAction::{Cascade, Restrict, SetNull};
    let idx = |table: &'static str, cols: &[&'static str]| {
        let mut index = Index::create();
        index
            .name(format!("idx_{table}_{}", cols.join("_")))
            .table(table);
        for col in cols {
            index.col(*col);
        }
        index.to_owned()
    };
    let uniq = |table: &'static str, cols: &[&'static str]| {
        let mut index = Index::create();
        index
            .name(format!("uq_{table}_{}", cols.join("_")))
            .table(table)
            .unique();
        for col in cols {
            index.col(*col);
        }
        index.to_owned()
    };

    let mut organisation = Table::create();
    organisation
        .table("organisation")
        .col(pk_uuid("id"))
        .col(string_len("kind", ENUM_LEN))
        .col(string("name_fi"))
        .col(string_null("name_sv"))
        .col(string_null("name_en"))
        .col(string_null("short_name"))
        .col(string_len_null("business_id", 9))
        .col(string_len_null("municipality_code", 3))
        .col(string_len_null("county_code", 2))
        .col(uuid_null("county_id"))
        .col(uuid_null("parent_id"))
        .col(string_null("email"))
        .col(string_null("phone"))
        .col(string_null("website"))
        .col(string_null("address"))
        .col(text_null("description"))
        .col(text("search_text"))
        .foreign_key(&mut fk(
            "organisation",
            "county_id",
            "organisation",
            Restrict,
        ))
        .foreign_key(&mut fk(
            "organisation",
            "parent_id",
            "organisation",
            Restrict,
        ));
    versioned(&mut organisation);

    let mut topic = Table::create();
    topic
        .table("topic")
        .col(pk_uuid("id"))
        .col(string("slug"))
        .col(string_len("kind", ENUM_LEN))
        .col(string_len_null("code", 8))
        .col(string("name_fi"))
        .col(string_null("name_sv"))
        .col(string_null("name_en"))
        .col(text_null("description"))
        .col(uuid_null("parent_id"))
        .col(integer("sort_order"))
        .foreign_key(&mut fk("topic", "parent_id", "topic", Restrict));
    versioned(&mut topic);

    let mut person = Table::create();
    person
        .table("person")
        .col(pk_uuid("id"))
        .col(string("name"))
        .col(string_null("title"))
        .col(uuid_null("organisation_id"))
        .col(string_null("email"))
        .col(string_null("phone"))
        .col(string_len("visibility", ENUM_LEN))
        .col(text("search_text"))
        .foreign_key(&mut fk(
            "person",
            "organisation_id",
            "organisation",
            Restrict,
        ));
    versioned(&mut person);

    let mut representative = Table::create();
    representative
        .table("representative")
        .col(pk_uuid("id"))
        .col(uuid("person_id"))
        .col(uuid("organisation_id"))
        .col(uuid("topic_id"))
        .col(string_len("level", ENUM_LEN))
        .col(string_null("role"))
        .col(uuid_null("deputy_id"))
        .col(date_null("valid_from"))
        .col(date_null("valid_to"))
        .foreign_key(&mut fk("representative", "person_id", "person", Restrict))
        .foreign_key(&mut fk(
            "representative",
            "organisation_id",
            "organisation",
            Restrict,
        ))
        .foreign_key(&mut fk("representative", "topic_id", "topic", Restrict))
        .foreign_key(&mut fk("representative", "deputy_id", "person", SetNull));
    versioned(&mut representative);

    let mut representative_municipality = Table::create();
    representative_municipality
        .table("representative_municipality")
        .col(uuid("representative_id"))
        .col(uuid("municipality_id"))
        .primary_key(&mut pair_key(
            "representative_municipality",
            "representative_id",
            "municipality_id",
        ))
        .foreign_key(&mut fk(
            "representative_municipality",
            "representative_id",
            "representative",
            Cascade,
        ))
        .foreign_key(&mut fk(
            "representative_municipality",
            "municipality_id",
            "organisation",
            Restrict,
        ));

    let mut area = Table::create();
    area.table("area")
        .col(pk_uuid("id"))
        .col(string_len("kind", ENUM_LEN))
        .col(string("name_fi"))
        .col(string_null("name_sv"))
        .col(string_null("name_en"))
        .col(text_null("description"))
        .col(uuid("county_id"))
        .foreign_key(&mut fk("area", "county_id", "organisation", Restrict));
    versioned(&mut area);

    let mut area_municipality = Table::create();
    area_municipality
        .table("area_municipality")
        .col(uuid("area_id"))
        .col(uuid("municipality_id"))
        .primary_key(&mut pair_key(
            "area_municipality",
            "area_id",
            "municipality_id",
        ))
        .foreign_key(&mut fk("area_municipality", "area_id", "area", Cascade))
        .foreign_key(&mut fk(
            "area_municipality",
            "municipality_id",
            "organisation",
            Restrict,
        ));

    let mut network = Table::create();
    network
        .table("network")
        .col(pk_uuid("id"))
        .col(string_len("kind", ENUM_LEN))
        .col(string("name_fi"))
        .col(string_null("name_sv"))
        .col(string_null("name_en"))
        .col(text_null("description"))
        .col(string_len_null("level", ENUM_LEN))
        .col(uuid_null("county_id"))
        .col(uuid_null("convener_id"))
        .col(string_null("convener_note"))
        .col(uuid_null("responsible_person_id"))
        .col(string_null("responsible_role"))
        .col(uuid_null("parent_id"))
        .col(uuid_null("area_id"))
        .col(string_null("cadence"))
        .col(integer_null("meetings_per_year"))
        .col(text_null("legal_basis"))
        .col(date_null("valid_from"))
        .col(date_null("valid_to"))
        .col(text("search_text"))
        .foreign_key(&mut fk("network", "county_id", "organisation", Restrict))
        .foreign_key(&mut fk("network", "convener_id", "organisation", Restrict))
        .foreign_key(&mut fk(
            "network",
            "responsible_person_id",
            "person",
            SetNull,
        ))
        .foreign_key(&mut fk("network", "parent_id", "network", Restrict))
        .foreign_key(&mut fk("network", "area_id", "area", SetNull));
    versioned(&mut network);

    let mut network_topic = Table::create();
    network_topic
        .table("network_topic")
        .col(uuid("network_id"))
        .col(uuid("topic_id"))
        .primary_key(&mut pair_key("network_topic", "network_id", "topic_id"))
        .foreign_key(&mut fk("network_topic", "network_id", "network", Cascade))
        .foreign_key(&mut fk("network_topic", "topic_id", "topic", Restrict));

    let mut membership = Table::create();
    membership
        .table("membership")
        .col(pk_uuid("id"))
        .col(uuid("network_id"))
        .col(uuid_null("organisation_id"))
        .col(uuid_null("person_id"))
        .col(uuid_null("deputy_id"))
        .col(string_len("role", ENUM_LEN))
        .col(string_null("note"))
        .col(date_null("valid_from"))
        .col(date_null("valid_to"))
        .foreign_key(&mut fk("membership", "network_id", "network", Cascade))
        .foreign_key(&mut fk(
            "membership",
            "organisation_id",
            "organisation",
            Restrict,
        ))
        .foreign_key(&mut fk("membership", "person_id", "person", Restrict))
        .foreign_key(&mut fk("membership", "deputy_id", "person", SetNull));
    versioned(&mut membership);

    let mut meeting = Table::create();
    meeting
        .table("meeting")
        .col(pk_uuid("id"))
        .col(uuid("network_id"))
        .col(string_null("title"))
        .col(timestamp_with_time_zone("starts_at"))
        .col(timestamp_with_time_zone_null("ends_at"))
        .col(string_null("location"))
        .col(string_len_null("agenda_url", 2048))
        .col(string_len_null("minutes_url", 2048))
        .foreign_key(&mut fk("meeting", "network_id", "network", Cascade));
    versioned(&mut meeting);

    let mut agreement = Table::create();
    agreement
        .table("agreement")
        .col(pk_uuid("id"))
        .col(string("title_fi"))
        .col(string_null("title_sv"))
        .col(string_null("title_en"))
        .col(text_null("description"))
        .col(uuid("county_id"))
        .col(date("valid_from"))
        .col(date_null("valid_to"))
        .col(text_null("legal_basis"))
        .foreign_key(&mut fk("agreement", "county_id", "organisation", Restrict));
    versioned(&mut agreement);

    let mut agreement_party = Table::create();
    agreement_party
        .table("agreement_party")
        .col(uuid("agreement_id"))
        .col(uuid("organisation_id"))
        .primary_key(&mut pair_key(
            "agreement_party",
            "agreement_id",
            "organisation_id",
        ))
        .foreign_key(&mut fk(
            "agreement_party",
            "agreement_id",
            "agreement",
            Cascade,
        ))
        .foreign_key(&mut fk(
            "agreement_party",
            "organisation_id",
            "organisation",
            Restrict,
        ));

    let mut goal = Table::create();
    goal.table("goal")
        .col(pk_uuid("id"))
        .col(uuid("agreement_id"))
        .col(string("title_fi"))
        .col(string_null("title_sv"))
        .col(string_null("title_en"))
        .col(text_null("description"))
        .col(integer("sort_order"))
        .foreign_key(&mut fk("goal", "agreement_id", "agreement", Cascade));
    versioned(&mut goal);

    let mut action = Table::create();
    action
        .table("action")
        .col(pk_uuid("id"))
        .col(uuid("goal_id"))
        .col(uuid_null("topic_id"))
        .col(text("title"))
        .col(text_null("description"))
        .col(text("responsibility"))
        .col(date("period_start"))
        .col(date("period_end"))
        .col(string_len("status", ENUM_LEN))
        .col(integer("sort_order"))
        .col(text("search_text"))
        .foreign_key(&mut fk("action", "goal_id", "goal", Restrict))
        .foreign_key(&mut fk("action", "topic_id", "topic", Restrict));
    versioned(&mut action);

    let mut action_organisation = Table::create();
    action_organisation
        .table("action_organisation")
        .col(uuid("action_id"))
        .col(uuid("organisation_id"))
        .primary_key(&mut pair_key(
            "action_organisation",
            "action_id",
            "organisation_id",
        ))
        .foreign_key(&mut fk(
            "action_organisation",
            "action_id",
            "action",
            Cascade,
        ))
        .foreign_key(&mut fk(
            "action_organisation",
            "organisation_id",
            "organisation",
            Restrict,
        ));

    let mut metric = Table::create();
    metric
        .table("metric")
        .col(pk_uuid("id"))
        .col(uuid("action_id"))
        .col(text("description"))
        .col(string_len("kind", ENUM_LEN))
        .col(integer("sort_order"))
        .foreign_key(&mut fk("metric", "action_id", "action", Cascade));
    versioned(&mut metric);

    let mut progress_report = Table::create();
    progress_report
        .table("progress_report")
        .col(pk_uuid("id"))
        .col(uuid("action_id"))
        .col(date("reported_on"))
        .col(string_len("status", ENUM_LEN))
        .col(text("summary"))
        .col(string_null("author_name"))
        .foreign_key(&mut fk("progress_report", "action_id", "action", Cascade));
    versioned(&mut progress_report);

    let mut audit_log = Table::create();
    audit_log
        .table("audit_log")
        .col(pk_uuid("id"))
        .col(timestamp_with_time_zone("occurred_at"))
        .col(string("actor_sub"))
        .col(string_null("actor_name"))
        .col(string_len("entity_type", 64))
        .col(uuid("entity_id"))
        .col(string_len("operation", 16))
        .col(json_null("before"))
        .col(json_null("after"));

    vec![
        (
            organisation.to_owned(),
            vec![
                uniq("organisation", &["business_id"]),
                uniq("organisation", &["municipality_code"]),
                idx("organisation", &["kind"]),
                idx("organisation", &["county_code"]),
                idx("organisation", &["county_id"]),
                idx("organisation", &["parent_id"]),
                idx("organisation", &["name_fi"]),
            ],
        ),
        (
            topic.to_owned(),
            vec![uniq("topic", &["slug"]), idx("topic", &["parent_id"])],
        ),
        (
            person.to_owned(),
            vec![
                idx("person", &["organisation_id"]),
                idx("person", &["name"]),
            ],
        ),
        (
            representative.to_owned(),
            vec![
                idx("representative", &["organisation_id", "topic_id", "level"]),
                idx("representative", &["topic_id", "level"]),
                idx("representative", &["person_id"]),
                idx("representative", &["deputy_id"]),
            ],
        ),
        (
            representative_municipality.to_owned(),
            vec![idx("representative_municipality", &["municipality_id"])],
        ),
        (area.to_owned(), vec![idx("area", &["county_id", "kind"])]),
        (
            area_municipality.to_owned(),
            vec![idx("area_municipality", &["municipality_id"])],
        ),
        (
            network.to_owned(),
            vec![
                idx("network", &["county_id"]),
                idx("network", &["convener_id"]),
                idx("network", &["responsible_person_id"]),
                idx("network", &["parent_id"]),
                idx("network", &["area_id"]),
                idx("network", &["kind"]),
                idx("network", &["name_fi"]),
            ],
        ),
        (
            network_topic.to_owned(),
            vec![idx("network_topic", &["topic_id"])],
        ),
        (
            membership.to_owned(),
            vec![
                idx("membership", &["network_id"]),
                idx("membership", &["organisation_id"]),
                idx("membership", &["person_id"]),
                idx("membership", &["deputy_id"]),
            ],
        ),
        (
            meeting.to_owned(),
            vec![
                idx("meeting", &["network_id", "starts_at"]),
                idx("meeting", &["starts_at"]),
            ],
        ),
        (agreement.to_owned(), vec![idx("agreement", &["county_id"])]),
        (
            agreement_party.to_owned(),
            vec![idx("agreement_party", &["organisation_id"])],
        ),
        (
            goal.to_owned(),
            vec![idx("goal", &["agreement_id", "sort_order"])],
        ),
        (
            action.to_owned(),
            vec![
                idx("action", &["goal_id", "sort_order"]),
                idx("action", &["topic_id"]),
                idx("action", &["status"]),
            ],
        ),
        (
            action_organisation.to_owned(),
            vec![idx("action_organisation", &["organisation_id"])],
        ),
        (metric.to_owned(), vec![idx("metric", &["action_id"])]),
        (
            progress_report.to_owned(),
            vec![idx("progress_report", &["action_id", "reported_on"])],
        ),
        (
            audit_log.to_owned(),
            vec![
                idx("audit_log", &["entity_id", "occurred_at"]),
                idx("audit_log", &["occurred_at"]),
            ],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, indexes) in tables() {
            manager.create_table(table).await?;
            for index in indexes {
                manager.create_index(index).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, _) in tables().into_iter().rev() {
            let name = table
                .get_table_name()
                .cloned()
                .ok_or_else(|| DbErr::Custom("table without a name".into()))?;
            manager
                .drop_table(Table::drop().table(name).to_owned())
                .await?;
        }
        Ok(())
    }
}
