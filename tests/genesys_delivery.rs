//! Delivery to both targets against the mock over real HTTP: customer participant lookup and its
//! cache, flattening to string attributes, enrichment, explicit participants, bad ids.

mod common;

use escalation_masker::config::Target;
use escalation_masker::genesys::{Delivery, GenesysError};
use escalation_masker::mock_genesys::MockConfig;
use serde_json::{Map, Value, json};

fn ctx(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("object")
}

#[tokio::test]
async fn participant_attributes_are_flattened_enriched_and_the_lookup_is_cached() {
    let m = common::default_mock().await;
    let mut cfg = common::genesys_config(&m.base);
    cfg.attribute_prefix = "em.".into();
    let d = common::deliverer(&cfg);
    let context = ctx(
        json!({"orderStatus": "SHIPPED", "maskedAccountNumber": "****1234",
                             "risk": {"level": "LOW", "score": 12}, "items": ["a", "b"]}),
    );
    let event = json!({"source": "web-portal", "customer": {"tier": "gold", "externalId": "x"}});
    let delivery = Delivery {
        conversation_id: "conv-1",
        participant_id: None,
        context: &context,
        event: Some(&event),
        event_id: Some("evt-1"),
        ruleset_version: "sha256:abc",
    };
    let first = d.deliver(&delivery).await.expect("delivered");
    assert_eq!(first.status, 202);
    assert_eq!(first.participant_id.as_deref(), Some("conv-1-customer"));
    let second = d.deliver(&delivery).await.expect("delivered again");
    assert_eq!(second.participant_id, first.participant_id);
    assert_eq!(
        m.state.api_requests(),
        3,
        "one lookup, cached, then two PATCHes"
    );

    let attrs = m
        .state
        .attributes("conv-1", "conv-1-customer")
        .expect("participant exists");
    assert_eq!(
        Value::Object(attrs),
        json!({"em.orderStatus": "SHIPPED", "em.maskedAccountNumber": "****1234", "em.risk.level": "LOW",
               "em.risk.score": "12", "em.items.0": "a", "em.items.1": "b", "em.eventId": "evt-1",
               "em.sourceChannel": "web-portal", "em.customerTier": "gold", "em.rulesetVersion": "sha256:abc"})
    );
    let received = m.state.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].target, "participant-attributes");
    assert_eq!(
        received[0].correlation_id.as_deref(),
        Some(first.correlation_id.as_str())
    );
}

#[tokio::test]
async fn conversation_context_target_sends_the_object_as_is() {
    let m = common::default_mock().await;
    let cfg = common::with_target(common::genesys_config(&m.base), Target::ConversationContext);
    let d = common::deliverer(&cfg);
    let context = ctx(json!({"orderStatus": "SHIPPED", "risk": {"level": "LOW"}}));
    let delivery = Delivery {
        conversation_id: "conv-2",
        participant_id: None,
        context: &context,
        event: None,
        event_id: Some("evt-2"),
        ruleset_version: "sha256:def",
    };
    let done = d.deliver(&delivery).await.expect("delivered");
    assert_eq!(done.participant_id, None);
    let got = m.state.received();
    assert_eq!(got[0].target, "conversation-context");
    assert_eq!(
        got[0].body,
        json!({"context": {"orderStatus": "SHIPPED", "risk": {"level": "LOW"}, "eventId": "evt-2", "rulesetVersion": "sha256:def"}})
    );
    assert_eq!(
        m.state.api_requests(),
        1,
        "no participant lookup for this target"
    );
}

#[tokio::test]
async fn a_named_participant_skips_the_lookup_and_missing_ones_are_errors() {
    let m = common::mock(MockConfig {
        strict: true,
        ..MockConfig::default()
    })
    .await;
    m.state
        .seed_conversation_with("conv-3", &[("p-cust", "customer"), ("p-agent", "agent")]);
    m.state
        .seed_conversation_with("conv-4", &[("p-agent", "agent"), ("p-ivr", "ivr")]);
    let d = common::deliverer(&common::genesys_config(&m.base));
    let context = ctx(json!({"note": "ok"}));
    let mk = |conversation_id, participant_id| Delivery {
        conversation_id,
        participant_id,
        context: &context,
        event: None,
        event_id: None,
        ruleset_version: "v",
    };
    let done = d
        .deliver(&mk("conv-3", Some("p-agent")))
        .await
        .expect("delivered");
    assert_eq!(done.participant_id.as_deref(), Some("p-agent"));
    assert_eq!(m.state.api_requests(), 1);

    let err = d.deliver(&mk("conv-4", None)).await.unwrap_err();
    assert!(matches!(err, GenesysError::NoCustomerParticipant), "{err}");
    let err = d.deliver(&mk("conv-404", None)).await.unwrap_err();
    assert_eq!(err.class(), "not_found");
    let err = d.deliver(&mk("conv-3", Some("nobody"))).await.unwrap_err();
    assert_eq!(err.class(), "not_found");
    let err = d.deliver(&mk("../oauth", None)).await.unwrap_err();
    assert_eq!(err.class(), "invalid_id");
}

#[tokio::test]
async fn seeding_over_http_never_breaks_the_mock() {
    let m = common::default_mock().await;
    let http = reqwest::Client::new();
    let url = format!("{}/mock/conversations", m.base);
    let r = http
        .post(&url)
        .json(&json!({"id": "c-empty", "participants": []}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 201);
    let r = http
        .post(&url)
        .json(&json!({"id": "c-empty"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 201);
    let d = common::deliverer(&common::genesys_config(&m.base));
    let context = ctx(json!({"a": "b"}));
    let err = d
        .deliver(&Delivery {
            conversation_id: "c-empty",
            participant_id: None,
            context: &context,
            event: None,
            event_id: None,
            ruleset_version: "v",
        })
        .await
        .unwrap_err();
    assert!(matches!(err, GenesysError::NoCustomerParticipant), "{err}");
}
