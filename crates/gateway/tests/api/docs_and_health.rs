use std::sync::atomic::Ordering;

use serde_json::Value;

use crate::helpers::spawn_gateway;

#[tokio::test]
async fn openapi_merges_the_services_documents() {
    let app = spawn_gateway().await;
    let res = app.get("/api/openapi.json").await;
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["info"]["title"], "Quorum API");
    assert!(doc["paths"]["/api/users/me"].is_object());
    assert!(doc["paths"]["/api/meetings/{id}"].is_object());
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");
    // The gateway completes each operation with what it enforces in front of it.
    let me = &doc["paths"]["/api/users/me"]["get"];
    assert_eq!(me["security"], serde_json::json!([{ "bearer": [] }]));
    for status in ["401", "429"] {
        let answer = &me["responses"][status]["content"]["application/problem+json"];
        assert_eq!(
            answer["schema"]["$ref"], "#/components/schemas/Problem",
            "{me}"
        );
    }
}

#[tokio::test]
async fn swagger_ui_is_served_from_local_assets_only() {
    let app = spawn_gateway().await;
    let res = app.get("/api/docs").await; // redirects to /api/docs/
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = res.text().await.unwrap();
    let assets = asset_refs(&html);
    assert!(
        assets.iter().any(|a| a.ends_with("swagger-ui-bundle.js")),
        "{html}"
    );
    for asset in assets {
        assert!(
            !asset.contains("://") && !asset.starts_with("//"),
            "external asset `{asset}`"
        );
        // Every asset it references is served by the gateway itself.
        let path = format!("/api/docs/{}", asset.trim_start_matches("./"));
        assert_eq!(app.get(&path).await.status(), 200, "{path}");
    }
    let init = app
        .get("/api/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api/openapi.json"), "{init}");
}

#[tokio::test]
async fn health_is_up_when_every_component_is() {
    let app = spawn_gateway().await;
    let res = app.get("/actuator/health").await;
    assert_eq!(res.status(), 200);
    let health: Value = res.json().await.unwrap();
    assert_eq!(health["status"], "UP");
    for service in crate::helpers::SERVICES {
        assert_eq!(health["components"][service]["status"], "UP", "{service}");
    }
    assert_eq!(
        health["components"]["meeting"]["details"]["service"],
        "meeting"
    );
}

#[tokio::test]
async fn health_is_down_with_503_when_a_component_is() {
    let app = spawn_gateway().await;
    app.meeting_down.store(true, Ordering::SeqCst);
    let res = app.get("/actuator/health").await;
    assert_eq!(res.status(), 503);
    let health: Value = res.json().await.unwrap();
    assert_eq!(health["status"], "DOWN");
    assert_eq!(health["components"]["meeting"]["status"], "DOWN");
    assert_eq!(health["components"]["identity"]["status"], "UP");
    assert_eq!(
        health["components"]["meeting"]["details"]["components"]["db"]["status"],
        "DOWN"
    );
}

#[tokio::test]
async fn liveness_does_not_ask_anyone() {
    let app = spawn_gateway().await;
    app.meeting_down.store(true, Ordering::SeqCst);
    let res = app.get("/actuator/health/liveness").await;
    assert_eq!(res.status(), 200);
}

/// The values of every `src="…"` and `href="…"` attribute.
fn asset_refs(html: &str) -> Vec<String> {
    let mut refs = Vec::new();
    for attr in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            let end = rest.find('"').unwrap();
            refs.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    refs
}
