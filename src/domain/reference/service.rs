//! Reading the reference data: topics by slug or kind, a topic with everything below it,
//! and the areas of a county.

use entity::enums::{AreaKind, TopicKind};
use entity::{area, topic};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::{ApiResult, bad_input};

/// Every topic, or those of one kind: interface areas a–e with their sub-themes, then the
/// common themes, each in the agreement's order.
pub async fn topics<C: ConnectionTrait>(
    db: &C,
    kind: Option<TopicKind>,
) -> ApiResult<Vec<topic::Model>> {
    let mut query = topic::Entity::find();
    if let Some(kind) = kind {
        query = query.filter(topic::Column::Kind.eq(kind));
    }
    Ok(query
        .order_by_asc(topic::Column::Kind)
        .order_by_asc(topic::Column::SortOrder)
        .order_by_asc(topic::Column::Slug)
        .all(db)
        .await?)
}

/// The topic with this slug, if any.
pub async fn topic<C: ConnectionTrait>(db: &C, slug: &str) -> ApiResult<Option<topic::Model>> {
    Ok(topic::Entity::find()
        .filter(topic::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The topic with this slug, or `BAD_USER_INPUT` naming `field`.
pub async fn topic_by_slug<C: ConnectionTrait>(
    db: &C,
    field: &str,
    slug: &str,
) -> ApiResult<topic::Model> {
    topic(db, slug)
        .await?
        .ok_or_else(|| bad_input(field, format!("no topic with slug {slug:?}")))
}

/// The id of the topic a write names by slug (surrounding blanks ignored), or
/// `BAD_USER_INPUT` naming `field`.
pub async fn topic_id<C: ConnectionTrait>(db: &C, field: &str, slug: &str) -> ApiResult<Uuid> {
    Ok(topic_by_slug(db, field, slug.trim()).await?.id)
}

/// Ids of a topic and every topic below it: a filter on a topic includes its sub-topics.
pub async fn topic_and_descendants<C: ConnectionTrait>(db: &C, root: Uuid) -> ApiResult<Vec<Uuid>> {
    let topics = topic::Entity::find().all(db).await?;
    let mut ids = vec![root];
    let mut i = 0;
    while i < ids.len() {
        let parent = ids[i];
        ids.extend(
            topics
                .iter()
                .filter(|t| t.parent_id == Some(parent))
                .map(|t| t.id),
        );
        i += 1;
    }
    Ok(ids)
}

/// Areas, of one county and one kind when given; by name.
pub async fn areas<C: ConnectionTrait>(
    db: &C,
    county: Option<Uuid>,
    kind: Option<AreaKind>,
) -> ApiResult<Vec<area::Model>> {
    let mut query = area::Entity::find();
    if let Some(county) = county {
        query = query.filter(area::Column::CountyId.eq(county));
    }
    if let Some(kind) = kind {
        query = query.filter(area::Column::Kind.eq(kind));
    }
    Ok(query
        .order_by_asc(area::Column::NameFi)
        .order_by_asc(area::Column::Id)
        .all(db)
        .await?)
}

/// Ids of the topic with `slug` and of every topic below it; `BAD_USER_INPUT` naming
/// `field` when there is no such topic.
pub async fn topic_subtree<C: ConnectionTrait>(
    db: &C,
    field: &str,
    slug: &str,
) -> ApiResult<Vec<Uuid>> {
    let root = topic_by_slug(db, field, slug).await?;
    topic_and_descendants(db, root.id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_topic_filter_includes_its_sub_topics() {
        let db = crate::db::connect("sqlite::memory:").await.unwrap();
        crate::prepare(&db, true).await.unwrap();
        let all = topics(&db, None).await.unwrap();
        let parent = all
            .iter()
            .find(|t| all.iter().any(|c| c.parent_id == Some(t.id)))
            .expect("a topic with sub-topics");
        let ids = topic_and_descendants(&db, parent.id).await.unwrap();
        assert_eq!(ids[0], parent.id);
        for child in all.iter().filter(|c| c.parent_id == Some(parent.id)) {
            assert!(ids.contains(&child.id));
        }
        let err = topic_id(&db, "input.topic", "no-such-topic")
            .await
            .unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert_eq!(
            topic_id(&db, "f", &format!(" {} ", parent.slug))
                .await
                .unwrap(),
            parent.id
        );
    }
}
