use serde_json::json;

use super::*;

#[test]
fn cursors_read_back_what_they_print() {
    let cursor = ChangeCursor { seq: 42, sub: 3 };
    assert_eq!(cursor.to_string(), "42.3");
    assert_eq!(ChangeCursor::parse("after", "42.3").unwrap(), cursor);
    for bad in ["", "42", "x.1", "1.x", "-1.0", "1.-2", "1.2.3"] {
        let err = ChangeCursor::parse("after", bad).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT", "{bad:?}");
    }
    assert!(ChangeCursor::START < ChangeCursor { seq: 0, sub: 0 });
}

#[test]
fn only_fields_that_differ_are_listed_in_api_spelling() {
    let before = json!({ "name": "Aino", "title": "Koordinaattori", "organisation_id": "a", "search_text": "aino" });
    let after = json!({ "name": "Aino", "title": "Johtaja", "organisation_id": "b", "search_text": "aino j" });
    let fields = changed_fields(Some(&before), Some(&after), false);
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["organisationId", "title"]);
    assert_eq!(fields[1].before, Some(json!("Koordinaattori")));
    assert_eq!(fields[1].after, Some(json!("Johtaja")));
}

#[test]
fn a_created_row_lists_every_field_and_hidden_contacts_keep_their_names_only() {
    let after = json!({ "name": "Aino", "email": "aino@example.org", "phone": null, "visibility": "INTERNAL" });
    let fields = changed_fields(None, Some(&after), true);
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        names,
        ["email", "name", "visibility"],
        "a null phone did not change"
    );
    assert!(fields[0].hidden);
    assert_eq!(fields[0].after, None);
    assert_eq!(fields[1].after, Some(json!("Aino")));
    assert!(!fields[1].hidden);
}

#[test]
fn unknown_types_are_refused_by_name() {
    let err = ChangeFilter::new(Some(vec!["Person".into(), "Salary".into()]), None).unwrap_err();
    assert_eq!(err.code(), "BAD_USER_INPUT");
    assert!(err.message().contains("Salary"));
}
