//! County indexes kept between requests, so repeated counterpart and coverage lookups cost
//! no SQL at all while the data stays the same.
//!
//! An entry is keyed by the data version ([`crate::db::version`]) it was read at: a write
//! committed by this process raises the version, and the next lookup reads afresh. Writes
//! this process cannot see (another API node on the same PostgreSQL, a replica that has
//! not replayed a write yet, the CLI) are covered by the entries' age limit. Concurrent
//! lookups of the same missing entry read it once (moka's `try_get_with`), and the cache
//! holds a bounded number of rows; entries past their age are dropped by the server's
//! housekeeping even when no lookup comes.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use entity::organisation;
use moka::future::Cache;
use uuid::Uuid;

use super::CountyIndex;
use crate::db::version;
use crate::domain::values::MunicipalityCode;
use crate::error::{ApiError, ApiResult};

/// How long an entry may serve when no write of this process says it is out of date.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(1);
/// Most rows the kept county indexes hold together (see [`CountyIndex::rows`]): every
/// county of the country twice over (about 30 000 representatives and their persons
/// nationally), so the memory they take has a bound whatever the data grows to; past it
/// the least used indexes are dropped and read again when asked for.
const MAX_INDEX_ROWS: u64 = 150_000;
/// Most municipality lookups kept: every municipality, twice over.
const MAX_MUNICIPALITIES: u64 = 1024;

/// A municipality and the owner of its county index.
type Municipality = Option<(Arc<organisation::Model>, Uuid)>;

/// The county indexes and municipality lookups of one process.
#[derive(Clone)]
pub struct IndexCache {
    indexes: Cache<(u64, Uuid, NaiveDate), Option<Arc<CountyIndex>>>,
    municipalities: Cache<(u64, String), Municipality>,
}

impl Default for IndexCache {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_AGE)
    }
}

impl IndexCache {
    /// A cache whose entries serve at most `max_age`; zero keeps nothing.
    pub fn new(max_age: Duration) -> Self {
        let capacity = |n: u64| if max_age.is_zero() { 0 } else { n };
        Self {
            indexes: Cache::builder()
                .max_capacity(capacity(MAX_INDEX_ROWS))
                .weigher(|_, index: &Option<Arc<CountyIndex>>| {
                    let rows = index.as_ref().map_or(1, |index| index.rows().max(1));
                    u32::try_from(rows).unwrap_or(u32::MAX)
                })
                .time_to_live(max_age.max(Duration::from_millis(1)))
                .build(),
            municipalities: Cache::builder()
                .max_capacity(capacity(MAX_MUNICIPALITIES))
                .time_to_live(max_age.max(Duration::from_millis(1)))
                .build(),
        }
    }

    /// Drops the entries past their age now, rather than at the cache's next use, so the
    /// memory of a quiet server comes back.
    pub async fn evict_expired(&self) {
        self.indexes.run_pending_tasks().await;
        self.municipalities.run_pending_tasks().await;
    }

    /// The index of `owner` on `date`, read by `load` unless a current one is kept.
    pub async fn index<F, Fut>(
        &self,
        owner: Uuid,
        date: NaiveDate,
        load: F,
    ) -> ApiResult<Option<Arc<CountyIndex>>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Option<CountyIndex>>>,
    {
        let key = (version::current(), owner, date);
        self.indexes
            .try_get_with(key, async move { Ok(load().await?.map(Arc::new)) })
            .await
            .map_err(|e: Arc<ApiError>| (*e).clone())
    }

    /// The municipality with `code` and its index owner, read by `load` unless kept.
    pub async fn municipality<F, Fut>(
        &self,
        code: &MunicipalityCode,
        load: F,
    ) -> ApiResult<Municipality>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Municipality>>,
    {
        let key = (version::current(), code.as_str().to_owned());
        self.municipalities
            .try_get_with(key, load())
            .await
            .map_err(|e: Arc<ApiError>| (*e).clone())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::error::not_found;

    fn index(owner: Uuid) -> CountyIndex {
        let now = chrono::Utc::now();
        CountyIndex {
            owner: organisation::Model {
                id: owner,
                kind: entity::enums::OrganisationKind::WellbeingCounty,
                name_fi: "Testin hyvinvointialue".into(),
                name_sv: None,
                name_en: None,
                short_name: None,
                business_id: None,
                municipality_code: None,
                county_code: None,
                county_id: None,
                parent_id: None,
                email: None,
                phone: None,
                website: None,
                address: None,
                description: None,
                search_text: String::new(),
                created_at: now,
                updated_at: now,
                version: 1,
                reviewed_at: None,
                reviewed_by: None,
                mission: None,
                priorities: None,
            },
            municipalities: Vec::new(),
            topics: HashMap::new(),
            entries: Vec::new(),
            person_reviews: HashMap::new(),
            slots: HashMap::new(),
        }
    }

    #[tokio::test]
    async fn a_kept_index_is_read_once_until_the_data_changes() {
        let cache = IndexCache::new(Duration::from_secs(60));
        let owner = Uuid::new_v4();
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let loads = AtomicUsize::new(0);
        let load = || async {
            loads.fetch_add(1, Ordering::SeqCst);
            Ok(Some(index(owner)))
        };
        for _ in 0..3 {
            let found = cache.index(owner, day, load).await.unwrap().unwrap();
            assert_eq!(found.owner.id, owner);
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        version::bump();
        cache.index(owner, day, load).await.unwrap();
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn errors_are_not_kept_and_a_zero_age_keeps_nothing() {
        let owner = Uuid::new_v4();
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let cache = IndexCache::new(Duration::from_secs(60));
        let failed = cache
            .index(owner, day, || async { Err(not_found("gone")) })
            .await;
        assert_eq!(failed.unwrap_err().code(), "NOT_FOUND");
        let found = cache.index(owner, day, || async { Ok(Some(index(owner))) });
        assert!(found.await.unwrap().is_some());

        let none = IndexCache::new(Duration::ZERO);
        let loads = AtomicUsize::new(0);
        for _ in 0..2 {
            none.index(owner, day, || async {
                loads.fetch_add(1, Ordering::SeqCst);
                Ok(Some(index(owner)))
            })
            .await
            .unwrap();
        }
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn expired_indexes_are_dropped_without_a_lookup() {
        let cache = IndexCache::new(Duration::from_millis(20));
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for _ in 0..3 {
            let owner = Uuid::new_v4();
            cache
                .index(owner, day, || async move { Ok(Some(index(owner))) })
                .await
                .unwrap();
        }
        cache.evict_expired().await;
        assert_eq!(cache.indexes.entry_count(), 3);
        tokio::time::sleep(Duration::from_millis(40)).await;
        cache.evict_expired().await;
        assert_eq!(cache.indexes.entry_count(), 0);
    }

    #[tokio::test]
    async fn kept_indexes_are_bounded_by_their_rows() {
        let cache = IndexCache::new(Duration::from_secs(60));
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        // Each index weighs its person reviews: a third of the bound each, so four do not fit.
        let third = usize::try_from(MAX_INDEX_ROWS / 3).unwrap();
        for _ in 0..4 {
            let owner = Uuid::new_v4();
            let mut big = index(owner);
            big.person_reviews = (0..third).map(|_| (Uuid::new_v4(), None)).collect();
            cache
                .index(owner, day, || async move { Ok(Some(big)) })
                .await
                .unwrap();
        }
        cache.evict_expired().await;
        assert!(cache.indexes.weighted_size() <= MAX_INDEX_ROWS);
        assert_eq!(cache.indexes.entry_count(), 3);
    }
}
