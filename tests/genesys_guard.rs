//! The egress guard and the size limit: nothing leaves when a body holds an unmasked card or is
//! too large — proven by the mock receiving nothing at all.

mod common;

use escalation_masker::config::Target;
use escalation_masker::genesys::{Delivery, GenesysError};
use serde_json::{Map, Value, json};

fn delivery<'a>(context: &'a Map<String, Value>) -> Delivery<'a> {
    Delivery {
        conversation_id: "conv-g",
        participant_id: None,
        context,
        event: None,
        event_id: None,
        ruleset_version: "v",
    }
}

#[tokio::test]
async fn an_unmasked_card_is_blocked_before_anything_is_sent() {
    let m = common::default_mock().await;
    for target in [Target::ParticipantAttributes, Target::ConversationContext] {
        let d = common::deliverer(&common::with_target(
            common::genesys_config(&m.base),
            target,
        ));
        for leaked in [
            json!({"note": "card 4111 1111 1111 1111"}),
            json!({"deep": {"list": [5555555555554444u64]}}),
        ] {
            let context = leaked.as_object().cloned().expect("object");
            let err = d.deliver(&delivery(&context)).await.unwrap_err();
            assert!(
                matches!(err, GenesysError::UnmaskedDataBlocked { .. }),
                "{err}"
            );
            assert!(
                !err.to_string().contains("4111") && !err.to_string().contains("5555"),
                "the error message holds the card (not echoed)"
            );
        }
    }
    assert_eq!(
        m.state.api_requests(),
        0,
        "not even the participant lookup was sent"
    );
    assert_eq!(m.state.token_requests(), 0);
    assert!(m.state.received().is_empty());
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_locally() {
    let m = common::default_mock().await;
    let mut cfg = common::with_target(common::genesys_config(&m.base), Target::ConversationContext);
    cfg.max_request_bytes = 2_000;
    let d = common::deliverer(&cfg);
    let context = json!({"note": "x".repeat(5_000)})
        .as_object()
        .cloned()
        .expect("object");
    let err = d.deliver(&delivery(&context)).await.unwrap_err();
    assert!(
        matches!(err, GenesysError::RequestTooLarge { limit: 2_000, .. }),
        "{err}"
    );
    assert_eq!(m.state.api_requests(), 0);

    // The mock enforces Genesys' own limit too: a client configured above it gets a 413 rejection.
    cfg.max_request_bytes = 2_000_000;
    let d = common::deliverer(&cfg);
    let context = json!({"note": "x".repeat(600_000)})
        .as_object()
        .cloned()
        .expect("object");
    let err = d.deliver(&delivery(&context)).await.unwrap_err();
    assert_eq!(err.class(), "payload_too_large", "{err}");
}
