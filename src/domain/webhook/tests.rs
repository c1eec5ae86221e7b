use std::time::Duration;

use super::*;

#[test]
fn only_http_and_https_urls_with_a_host_are_taken() {
    let ok =
        NewWebhook::parse("https://portaali.example.org/hooks", vec!["Person".into()]).unwrap();
    assert_eq!(ok.url, "https://portaali.example.org/hooks");
    for (url, words) in [
        ("ftp://example.org/x", "http or https"),
        ("javascript:alert(1)", "http or https"),
        ("not a url", "not a URL"),
        ("https://user:pw@example.org/", "credentials"),
    ] {
        let err = NewWebhook::parse(url, vec!["Person".into()]).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT", "{url}");
        assert!(err.message().contains(words), "{url}: {}", err.message());
    }
    let none = NewWebhook::parse("https://example.org/", vec![]).unwrap_err();
    assert!(none.message().contains("at least one"));
}

/// The example of the Standard Webhooks specification's reference libraries.
#[test]
fn signatures_match_the_standard_webhooks_reference() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    let body = r#"{"test": 2432232314}"#;
    let signature = sign(secret, id, 1614265330, body).unwrap();
    assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

#[test]
fn secrets_are_fresh_and_decodable() {
    let (a, b) = (generate_secret(), generate_secret());
    assert_ne!(a, b);
    assert!(a.starts_with("whsec_"));
    assert!(sign(&a, "id", 1, "{}").unwrap().starts_with("v1,"));
}

#[test]
fn backoff_doubles_up_to_the_cap() {
    let (base, cap) = (Duration::from_secs(5), Duration::from_secs(60));
    let waits: Vec<u64> = (1..=6).map(|n| backoff(n, base, cap).as_secs()).collect();
    assert_eq!(waits, [5, 10, 20, 40, 60, 60]);
    assert_eq!(backoff(1000, base, cap), cap);
}
