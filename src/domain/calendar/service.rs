//! The meetings a feed holds: a network's, or those of the networks an organisation
//! convenes or holds a seat in (as `meetings(filter: { organisationId })` lists them),
//! from a year back to two years ahead, at most [`MAX_EVENTS`], earliest first.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{meeting, network, organisation};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{Event, Feed};
use crate::clock::finnish_date;
use crate::db::page::Window;
use crate::domain::network::MeetingFilter;
use crate::domain::network::meetings;
use crate::error::{ApiResult, not_found};

/// Days before today whose meetings a feed still holds.
pub const DAYS_BACK: i64 = 366;
/// Days after today whose meetings a feed holds.
pub const DAYS_AHEAD: i64 = 2 * 366;
/// Most meetings in one feed (a network meets a few times a year; an organisation sits in
/// tens of networks).
pub const MAX_EVENTS: u64 = 500;

/// The language of a feed's names and labels; names fall back to Finnish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fi,
    Sv,
    En,
}

impl Lang {
    /// `fi`, `sv` or `en`, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "fi" => Some(Lang::Fi),
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn pick<'a>(self, fi: &'a str, sv: Option<&'a str>, en: Option<&'a str>) -> &'a str {
        match self {
            Lang::Fi => fi,
            Lang::Sv => sv.unwrap_or(fi),
            Lang::En => en.unwrap_or(fi),
        }
    }

    /// The labels of a feed: (meetings of a network, meetings of an organisation's
    /// networks, network, agenda, minutes).
    fn labels(self) -> [&'static str; 5] {
        match self {
            Lang::Fi => [
                "kokoukset",
                "verkostojen kokoukset",
                "Verkosto",
                "Esityslista",
                "Pöytäkirja",
            ],
            Lang::Sv => [
                "möten",
                "nätverkens möten",
                "Nätverk",
                "Föredragningslista",
                "Protokoll",
            ],
            Lang::En => [
                "meetings",
                "network meetings",
                "Network",
                "Agenda",
                "Minutes",
            ],
        }
    }
}

/// The feed of network `id`'s meetings; `NOT_FOUND` when there is no such network.
pub async fn network_feed(
    db: &DatabaseConnection,
    id: Uuid,
    lang: Lang,
    now: DateTime<Utc>,
) -> ApiResult<Feed> {
    let network = network::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| not_found(format!("no network with id {id}")))?;
    let filter = MeetingFilter {
        network_id: Some(id),
        ..Default::default()
    };
    let rows = in_window(db, filter, now).await?;
    let name = network_name(&network, lang);
    let labels = lang.labels();
    let networks = HashMap::from([(network.id, network)]);
    Ok(Feed {
        description: format!("{name}: {}", labels[0]),
        name,
        events: rows.iter().map(|row| event(row, &networks, lang)).collect(),
    })
}

/// The feed of the meetings of the networks organisation `id` convenes or holds a seat in;
/// `NOT_FOUND` when there is no such organisation.
pub async fn organisation_feed(
    db: &DatabaseConnection,
    id: Uuid,
    lang: Lang,
    now: DateTime<Utc>,
) -> ApiResult<Feed> {
    let organisation = organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| not_found(format!("no organisation with id {id}")))?;
    let filter = MeetingFilter {
        organisation_id: Some(id),
        ..Default::default()
    };
    let rows = in_window(db, filter, now).await?;
    let mut ids: Vec<Uuid> = rows.iter().map(|row| row.network_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let networks: HashMap<Uuid, network::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        network::Entity::find()
            .filter(network::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|network| (network.id, network))
            .collect()
    };
    let name = lang.pick(
        &organisation.name_fi,
        organisation.name_sv.as_deref(),
        organisation.name_en.as_deref(),
    );
    let name = format!("{name}: {}", lang.labels()[1]);
    Ok(Feed {
        description: name.clone(),
        name,
        events: rows.iter().map(|row| event(row, &networks, lang)).collect(),
    })
}

/// The meetings `filter` selects that start within the feed's window around `now`.
async fn in_window(
    db: &DatabaseConnection,
    filter: MeetingFilter,
    now: DateTime<Utc>,
) -> ApiResult<Vec<meeting::Model>> {
    let today = finnish_date(now);
    let filter = MeetingFilter {
        from: Some(today - Duration::days(DAYS_BACK)),
        to: Some(today + Duration::days(DAYS_AHEAD)),
        ..filter
    };
    let window = Window {
        offset: 0,
        limit: MAX_EVENTS,
    };
    Ok(meetings::list(db, filter, window).await?.0)
}

fn network_name(network: &network::Model, lang: Lang) -> String {
    lang.pick(
        &network.name_fi,
        network.name_sv.as_deref(),
        network.name_en.as_deref(),
    )
    .to_owned()
}

/// A meeting as an event: its title (else its network's name) as the summary, the
/// network, agenda and minutes in the description, the agenda as the URL.
fn event(row: &meeting::Model, networks: &HashMap<Uuid, network::Model>, lang: Lang) -> Event {
    let [_, _, network_label, agenda_label, minutes_label] = lang.labels();
    let network = networks.get(&row.network_id).map(|n| network_name(n, lang));
    let mut description = Vec::new();
    if let Some(network) = &network {
        description.push(format!("{network_label}: {network}"));
    }
    if let Some(agenda) = &row.agenda_url {
        description.push(format!("{agenda_label}: {agenda}"));
    }
    if let Some(minutes) = &row.minutes_url {
        description.push(format!("{minutes_label}: {minutes}"));
    }
    let summary = row
        .title
        .clone()
        .or_else(|| network.clone())
        .unwrap_or_default();
    Event {
        uid: format!("{}@yhdyspinta", row.id),
        stamp: row.updated_at,
        created: row.created_at,
        sequence: u32::try_from(row.version.saturating_sub(1)).unwrap_or(0),
        start: row.starts_at,
        end: row.ends_at,
        summary,
        location: row.location.clone(),
        url: row.agenda_url.clone(),
        description: (!description.is_empty()).then(|| description.join("\n")),
    }
}
