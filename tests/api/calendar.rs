//! Calendar feeds: `/calendar/networks/{id}.ics` and `/calendar/organisations/{id}.ics`,
//! parsed back with the `icalendar` crate's parser.

use chrono::{Datelike, Duration, Utc};
use icalendar::parser::{Component, read_calendar, unfold};
use icalendar::{CalendarDateTime, Component as _, DatePerhapsTime, EventLike};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, IntoActiveModel};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both;
use crate::support::*;

const CREATE: &str = "mutation($input: CreateMeetingInput!) { createMeeting(input: $input) { meeting { id version } } }";

/// A long title with the characters TEXT must escape: it is folded and escaped.
const TITLE: &str = "Testiverkoston kokous: työllisyys, kotoutuminen; turvallisuus \\ varautuminen – pitkä otsikko, joka taittuu riviltä toiselle";

/// The fictional network of these tests: convened by the county, Kuopio a member.
struct Setup {
    network: Uuid,
    kuopio: Uuid,
    /// Next January, winter time, with everything filled in.
    winter: Uuid,
    /// Next June, summer time, with nothing but the start.
    summer: Uuid,
    next_year: i32,
}

async fn meeting(app: &TestApp, admin: &str, input: Value) -> Uuid {
    let body = app.post_as(admin, CREATE, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["createMeeting"]["meeting"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The test network with four meetings: two in the feed's window, one too long ago and one
/// too far ahead.
async fn setup(app: &TestApp) -> Setup {
    let kuopio = fixtures::municipality(&app.db, "297").await;
    let county = fixtures::county(&app.db, "13").await;
    let employment = fixtures::topic(&app.db, "employment").await;
    let network = fixtures::network(
        &app.db,
        "Kalenteritestin verkosto",
        county,
        employment,
        &[kuopio],
    )
    .await;
    let admin = token(yhdyspinta::auth::policy::Role::Admin, &[]);
    let next_year = Utc::now().year() + 1;
    let winter = meeting(app, &admin, json!({
        "networkId": network, "title": TITLE,
        "startsAt": format!("{next_year}-01-15T10:00:00Z"), "endsAt": format!("{next_year}-01-15T12:30:00Z"),
        "location": "Kuopio, Valtuustosali; 2. krs", "agendaUrl": "https://example.org/esityslista/1?kieli=fi&osa=2",
        "minutesUrl": "https://example.org/poytakirja/1",
    }))
    .await;
    let summer = meeting(
        app,
        &admin,
        json!({ "networkId": network, "startsAt": format!("{next_year}-06-15T10:00:00Z") }),
    )
    .await;
    let long_ago = (Utc::now() - Duration::days(400)).to_rfc3339();
    let far_ahead = (Utc::now() + Duration::days(800)).to_rfc3339();
    for start in [long_ago, far_ahead] {
        meeting(
            app,
            &admin,
            json!({ "networkId": network, "startsAt": start }),
        )
        .await;
    }
    Setup {
        network,
        kuopio,
        winter,
        summer,
        next_year,
    }
}

/// GETs `path`; the status, headers and body.
async fn get(
    app: &TestApp,
    path: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut request = app.client.get(app.url(path));
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// The feed at `path`, checked to be served as a calendar; its text.
async fn feed(app: &TestApp, path: &str) -> String {
    let (status, headers, text) = get(app, path, None).await;
    assert_eq!(status, 200, "{path}: {text}");
    assert_eq!(headers["content-type"], "text/calendar; charset=utf-8");
    assert_eq!(headers["cache-control"], "public, max-age=300");
    assert!(headers["etag"].to_str().unwrap().starts_with('"'));
    text
}

/// The `VEVENT`s of a feed by UID, parsed with `icalendar`.
fn events(text: &str) -> Vec<icalendar::Event> {
    let calendar: icalendar::Calendar = text.parse().expect("the feed parses");
    calendar
        .components
        .iter()
        .filter_map(|c| c.as_event().cloned())
        .collect()
}

fn by_uid(events: &[icalendar::Event], id: Uuid) -> &icalendar::Event {
    let uid = format!("{id}@yhdyspinta");
    events
        .iter()
        .find(|e| e.get_uid() == Some(uid.as_str()))
        .unwrap_or_else(|| panic!("no event {uid}"))
}

/// The Helsinki wall-clock time of a `DTSTART`/`DTEND` that names the zone.
fn helsinki(value: Option<DatePerhapsTime>) -> String {
    match value {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
            assert_eq!(tzid, "Europe/Helsinki");
            date_time.format("%Y-%m-%d %H:%M").to_string()
        }
        other => panic!("not a Helsinki time: {other:?}"),
    }
}

both! {
    async fn a_network_feed_holds_its_meetings_in_helsinki_time(app: TestApp) {
        let s = setup(&app).await;
        let text = feed(&app, &format!("/calendar/networks/{}.ics", s.network)).await;
        // Lines end in CRLF and are folded at 75 octets.
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'));
        assert!(text.split("\r\n").all(|line| line.len() <= 75), "{text}");
        assert!(text.contains("\r\n "), "the long title is folded");

        // The zone, as the low-level parser sees the structure.
        let unfolded = unfold(&text);
        let parsed = read_calendar(&unfolded).expect("the feed parses");
        let zone: &Component = parsed.components.iter().find(|c| c.name.as_str() == "VTIMEZONE").expect("a VTIMEZONE");
        assert_eq!(zone.find_prop("TZID").unwrap().val.as_str(), "Europe/Helsinki");
        let parts: Vec<&str> = zone.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(parts, ["DAYLIGHT", "STANDARD"]);

        // Two meetings in the window; the one 400 days ago and the one 800 days ahead are not.
        let events = events(&text);
        assert_eq!(events.len(), 2, "{text}");
        let winter = by_uid(&events, s.winter);
        assert_eq!(winter.get_summary(), Some(TITLE));
        assert_eq!(winter.get_location(), Some("Kuopio, Valtuustosali; 2. krs"));
        assert_eq!(winter.get_url(), Some("https://example.org/esityslista/1?kieli=fi&osa=2"));
        assert_eq!(
            winter.get_description(),
            Some("Verkosto: Kalenteritestin verkosto\nEsityslista: https://example.org/esityslista/1?kieli=fi&osa=2\nPöytäkirja: https://example.org/poytakirja/1")
        );
        // 10:00 UTC in January is 12:00 in Helsinki; in June 13:00.
        let year = s.next_year;
        assert_eq!(helsinki(winter.get_start()), format!("{year}-01-15 12:00"));
        assert_eq!(helsinki(winter.get_end()), format!("{year}-01-15 14:30"));
        assert!(winter.get_timestamp().is_some(), "DTSTAMP");
        assert_eq!(winter.get_sequence(), Some(0));
        let summer = by_uid(&events, s.summer);
        assert_eq!(helsinki(summer.get_start()), format!("{year}-06-15 13:00"));
        assert_eq!(summer.get_summary(), Some("Kalenteritestin verkosto"), "no title: the network's name");
        assert_eq!(summer.get_location(), None);
        assert_eq!(summer.get_url(), None);
        assert!(summer.get_end().is_none());
    }
}

both! {
    async fn a_feed_is_stable_until_a_meeting_changes(app: TestApp) {
        let s = setup(&app).await;
        let path = format!("/calendar/networks/{}.ics", s.network);
        let (_, headers, first) = get(&app, &path, None).await;
        let tag = headers["etag"].to_str().unwrap().to_owned();
        let (_, again, second) = get(&app, &path, None).await;
        assert_eq!(first, second, "the same data gives the same bytes");
        assert_eq!(again["etag"], tag.as_str());
        let (status, headers, body) = get(&app, &path, Some(&tag)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert_eq!(headers["etag"], tag.as_str());
        assert!(body.is_empty());

        let admin = token(yhdyspinta::auth::policy::Role::Admin, &[]);
        let update = "mutation($input: UpdateMeetingInput!) { updateMeeting(input: $input) { meeting { version } } }";
        let body = app
            .post_as(&admin, update, json!({ "input": { "id": s.summer, "version": 1, "location": "Siilinjärvi" } }))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        let (status, headers, text) = get(&app, &path, Some(&tag)).await;
        assert_eq!(status, 200, "changed: the old tag no longer matches");
        assert_ne!(headers["etag"], tag.as_str());
        let events = events(&text);
        let summer = by_uid(&events, s.summer);
        assert_eq!(summer.get_location(), Some("Siilinjärvi"));
        assert_eq!(summer.get_sequence(), Some(1), "the UID stays, the sequence rises");
    }
}

both! {
    async fn an_organisation_feed_holds_the_meetings_of_its_networks(app: TestApp) {
        let s = setup(&app).await;
        let network_feed = feed(&app, &format!("/calendar/networks/{}.ics", s.network)).await;
        let kuopio = feed(&app, &format!("/calendar/organisations/{}.ics", s.kuopio)).await;
        let kuopio_events = events(&kuopio);
        // The same meetings, with the same UIDs, as in the network's own feed.
        for id in [s.winter, s.summer] {
            let uid = format!("{id}@yhdyspinta");
            assert_eq!(by_uid(&kuopio_events, id).get_uid(), Some(uid.as_str()));
            assert!(network_feed.contains(&format!("UID:{uid}\r\n")));
        }
        assert!(kuopio.contains("X-WR-CALNAME:Kuopio: verkostojen kokoukset\r\n"), "{kuopio}");
        // Tervo sits in no network of this test: none of its meetings.
        let tervo = fixtures::municipality(&app.db, "844").await;
        let tervo = feed(&app, &format!("/calendar/organisations/{tervo}.ics")).await;
        assert!(!tervo.contains(&s.winter.to_string()));
        // In Swedish: Kuopio has no other name; the labels are Swedish.
        let swedish = feed(&app, &format!("/calendar/organisations/{}.ics?lang=sv", s.kuopio)).await;
        assert!(swedish.contains("X-WR-CALNAME:Kuopio: nätverkens möten\r\n"), "{swedish}");
        let swedish = feed(&app, &format!("/calendar/networks/{}.ics?lang=sv", s.network)).await;
        let unfolded = swedish.replace("\r\n ", "");
        assert!(unfolded.contains("DESCRIPTION:Nätverk: Kalenteritestin verkosto\\nFöredragningslista: https://example.org/esityslista/1?kieli=fi&osa=2"), "{unfolded}");
    }
}

both! {
    async fn unknown_and_malformed_ids_are_refused_clearly(app: TestApp) {
        let missing = Uuid::new_v4();
        for kind in ["networks", "organisations"] {
            let (status, headers, body) = get(&app, &format!("/calendar/{kind}/{missing}.ics"), None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{kind}");
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(code(&body["errors"][0]), "NOT_FOUND");
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(&missing.to_string()) && message.contains(&kind[..kind.len() - 1]), "{message}");
            assert_eq!(headers["cache-control"], "no-store", "{headers:?}");
            for bad in ["297.ics".to_owned(), missing.to_string(), format!("{missing}.ics?lang=de")] {
                let (status, _, body) = get(&app, &format!("/calendar/{kind}/{bad}"), None).await;
                assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
                let body: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(code(&body["errors"][0]), "BAD_USER_INPUT");
            }
        }
        // A seeded network whose only meeting (1.10.2021) is outside the window: an empty,
        // well-formed calendar.
        let seeded = app
            .query("{ meetings(filter: { from: \"2021-10-01\", to: \"2021-10-01\" }) { nodes { network { id } } } }", json!({}))
            .await;
        let network = seeded["meetings"]["nodes"][0]["network"]["id"].as_str().expect("the seeded meeting");
        let text = feed(&app, &format!("/calendar/networks/{network}.ics")).await;
        assert!(events(&text).is_empty());
        assert!(text.contains("BEGIN:VTIMEZONE"));
    }
}

both! {
    async fn a_feed_holds_at_most_500_meetings(app: TestApp) {
        let s = setup(&app).await;
        // 510 more meetings a day apart from tomorrow, written straight to the table.
        let now = Utc::now();
        let rows = (1..=510).map(|day| {
            entity::meeting::Model {
                id: Uuid::new_v4(),
                network_id: s.network,
                title: None,
                starts_at: now + Duration::days(day),
                ends_at: None,
                location: None,
                agenda_url: None,
                minutes_url: None,
                created_at: now,
                updated_at: now,
                version: 1,
            }
            .into_active_model()
        });
        entity::meeting::Entity::insert_many(rows).exec(&app.db).await.unwrap();
        let text = feed(&app, &format!("/calendar/networks/{}.ics", s.network)).await;
        assert_eq!(text.matches("BEGIN:VEVENT\r\n").count(), 500);
    }
}

/// The feeds count against the same per-client rate as `/graphql`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_are_rate_limited_like_graphql() {
    let args = yhdyspinta::config::ServeArgs {
        rate_limit: 1,
        rate_burst: 2,
        ..Default::default()
    };
    let app = spawn_app_with_args(Backend::Sqlite, args).await.unwrap();
    let tervo = fixtures::municipality(&app.db, "844").await;
    let path = format!("/calendar/organisations/{tervo}.ics");
    assert_eq!(get(&app, &path, None).await.0, 200);
    let graphql = app
        .client
        .get(app.url("/graphql?query=%7B__typename%7D"))
        .send()
        .await
        .unwrap();
    assert_eq!(graphql.status(), 200);
    let (status, headers, body) = get(&app, &path, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(headers.contains_key("retry-after"));
}
