"""The Canvas developer-key JSON."""

SCOPES = {
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
}


def test_canvas_json_has_urls_scopes_placements_and_privacy(client):
    config = client.get("/lti/config/canvas.json").json
    assert config["title"] == "Proctor LTI"
    assert config["oidc_initiation_url"] == "https://localhost/lti/login"
    assert config["target_link_uri"] == "https://localhost/lti/launch"
    assert config["public_jwk_url"] == "https://localhost/lti/jwks"
    assert SCOPES <= set(config["scopes"])
    [extension] = config["extensions"]
    assert extension["platform"] == "canvas.instructure.com"
    assert extension["privacy_level"] == "public"
    placements = {p["placement"]: p for p in extension["settings"]["placements"]}
    assert set(placements) == {"assignment_selection", "link_selection"}
    assert all(p["message_type"] == "LtiDeepLinkingRequest" for p in placements.values())


def test_canvas_json_asks_for_the_context_history(client):
    """Canvas fills it at each launch with the courses copied into this one (a term rollover)."""
    assert client.get("/lti/config/canvas.json").json["custom_fields"] == {
        "context_history": "$Context.id.history", "timezone": "$Person.address.timezone"}
