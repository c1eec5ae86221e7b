//! GraphQL enumerations. Stored values live in `entity::enums`; these mirror them with
//! descriptions for the schema.

use async_graphql::Enum;

/// The language of a multilingual text. Finnish is always present; Swedish and English
/// fall back to Finnish when missing (`nameLanguage(lang:)` and `titleLanguage(lang:)`
/// tell when they did; `names` and `titles` give every stored language).
#[derive(Enum, Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Language {
    /// Finnish (suomi).
    #[default]
    Fi,
    /// Swedish (svenska).
    Sv,
    /// English.
    En,
}

impl Language {
    /// Picks the text in this language, falling back to Finnish.
    pub fn pick<'a>(self, fi: &'a str, sv: Option<&'a str>, en: Option<&'a str>) -> &'a str {
        match self {
            Language::Fi => fi,
            Language::Sv => sv.filter(|s| !s.is_empty()).unwrap_or(fi),
            Language::En => en.filter(|s| !s.is_empty()).unwrap_or(fi),
        }
    }

    /// The language [`Language::pick`] answers in: this one when its text is present,
    /// else Finnish (the fallback).
    pub fn used(self, sv: Option<&str>, en: Option<&str>) -> Language {
        let present = |text: Option<&str>| text.is_some_and(|t| !t.is_empty());
        match self {
            Language::Sv if present(sv) => Language::Sv,
            Language::En if present(en) => Language::En,
            _ => Language::Fi,
        }
    }
}

/// What kind of body an organisation is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::OrganisationKind")]
pub enum OrganisationKind {
    /// Hyvinvointialue: a wellbeing services county (or the City of Helsinki in that role).
    WellbeingCounty,
    /// Kunta or kaupunki: a municipality, with a three-digit municipality code.
    Municipality,
    /// Maakunnan liitto: a regional council.
    RegionalCouncil,
    /// A state authority: ELY centre, Kela, Migri, TE office, police …
    StateAgency,
    /// Järjestö: an association.
    Ngo,
    /// Oppilaitos: a school, college or university.
    EducationalInstitution,
    /// Kuntayhtymä: a joint municipal authority.
    JointAuthority,
    /// Palvelualue or yksikkö: a unit inside another organisation (see `parent`).
    Unit,
    /// Any other organisation.
    Other,
}

/// Whether a topic is an interface area of the agreement or a common theme.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::TopicKind")]
pub enum TopicKind {
    /// Yhdyspinta: an interface area on which every municipality has a counterpart.
    Interface,
    /// Yhteinen asiakokonaisuus: a theme the parties handle together.
    CommonTheme,
}

/// Taso: the level of cooperation a representative or network works on.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[graphql(remote = "entity::enums::Level")]
pub enum Level {
    /// Johdon taso: leadership.
    Leadership,
    /// Yhdyspintataso: the interface level (experts, coordinators).
    Interface,
    /// Arjen taso: everyday client work.
    Everyday,
    /// Osallistumisen taso: participation of residents and associations.
    Participation,
}

impl Level {
    /// Every level, in order from leadership to participation.
    pub const ALL: [Level; 4] = [
        Level::Leadership,
        Level::Interface,
        Level::Everyday,
        Level::Participation,
    ];
}

/// Who may see a person's e-mail address and phone number.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::Visibility")]
pub enum Visibility {
    /// Everyone, including anonymous portal visitors.
    Public,
    /// Authenticated callers only; anonymous callers get null.
    Internal,
}

/// What kind of standing group a network is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::NetworkKind")]
pub enum NetworkKind {
    /// Foorumi: a forum, such as Kuntafoorumi.
    Forum,
    /// Neuvottelukunta: an advisory board.
    AdvisoryBoard,
    /// Toimikunta: a committee.
    Committee,
    /// Johtoryhmä or ohjausryhmä: a steering group.
    SteeringGroup,
    /// Työryhmä: a working group.
    WorkingGroup,
    /// Verkosto: a network.
    Network,
    /// Palvelukeskustelu: the annual service discussion of an area.
    ServiceDiscussion,
    /// A service point run together, such as an Ohjaamo.
    ServicePoint,
    /// A body that prepared the county (valmistelutoimielin, jaosto, seurantaryhmä).
    PreparatoryBody,
}

/// The role of a seat in a network.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::MembershipRole")]
pub enum MembershipRole {
    /// Jäsen: a member.
    Member,
    /// Puheenjohtaja: the chair.
    Chair,
    /// Varapuheenjohtaja: the vice chair.
    ViceChair,
    /// Sihteeri: the secretary.
    Secretary,
    /// Asiantuntija: an expert.
    Expert,
    /// Attends with the right to speak but not to decide (läsnäolo- ja puheoikeus).
    Observer,
    /// Kokoonkutsuja: convenes the network.
    Convener,
}

/// What an area groups municipalities for.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::AreaKind")]
pub enum AreaKind {
    /// Palvelukeskustelualue: municipalities holding a service discussion together.
    ServiceDiscussion,
    /// Perhekeskusalue: a family-centre area.
    FamilyCentre,
    /// TYP-alue and other employment areas.
    Employment,
    /// Any other cooperation area.
    Cooperation,
    /// Anything else.
    Other,
}

/// Where an action stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ActionStatus")]
pub enum ActionStatus {
    /// Not started.
    Planned,
    /// Under way.
    InProgress,
    /// Done.
    Completed,
    /// Dropped.
    Cancelled,
}

/// How an action is followed up.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::MetricKind")]
pub enum MetricKind {
    /// Kyllä/ei: done or not.
    YesNo,
    /// A number (lukumäärä, osuus).
    Number,
    /// A written assessment.
    Text,
}

/// Which side of a counterpart pair has named nobody.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum MissingSide {
    /// The municipality has named nobody.
    Municipality,
    /// Neither the county nor the regional council has named anyone serving the municipality.
    County,
    /// Nobody on either side.
    Both,
}

/// Ordering of an organisation list. Ties are broken by id so paging is stable.
#[derive(Enum, Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum OrganisationOrder {
    /// By Finnish name.
    #[default]
    Name,
    /// By municipality code; organisations without one last.
    MunicipalityCode,
    /// By kind, then Finnish name.
    Kind,
}
