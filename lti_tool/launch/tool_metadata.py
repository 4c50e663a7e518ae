"""How the tool describes itself to platforms: dynamic registration metadata and Canvas's JSON."""

from urllib.parse import urlsplit

SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
DESCRIPTION = "Timed multiple-choice exams under live proctoring, graded into the LMS gradebook."
DEEP_LINK_PLACEMENTS = ("assignment_selection", "link_selection")
# Sent with every launch: the course's earlier context ids, so an exam of the course it was copied from may be
# copied into it (exam/copies.py). Canvas fills it in; Moodle 4.3 sends the variable as it is.
CONTEXT_HISTORY_VARIABLE = "$Context.id.history"
# The person's time zone in the LMS (an IANA name), so the pages show times as the LMS does; Moodle and Canvas
# both fill it in (Moodle sends "99" for "the server's zone", which is ignored).
TIME_ZONE_VARIABLE = "$Person.address.timezone"
CUSTOM_PARAMETERS = {"context_history": CONTEXT_HISTORY_VARIABLE, "timezone": TIME_ZONE_VARIABLE}


def urls(base_url):
    return {
        "login": f"{base_url}/lti/login",
        "launch": f"{base_url}/lti/launch",
        "jwks": f"{base_url}/lti/jwks",
        "canvas": f"{base_url}/lti/config/canvas.json",
    }


def client_metadata(base_url, name):
    """The OpenID client registration the tool POSTs in LTI Dynamic Registration."""
    u = urls(base_url)
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": u["login"],
        "redirect_uris": [u["launch"]],
        "client_name": name,
        "jwks_uri": u["jwks"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "domain": urlsplit(base_url).netloc,
            "description": DESCRIPTION,
            "target_link_uri": u["launch"],
            "custom_parameters": dict(CUSTOM_PARAMETERS),
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {
                    "type": "LtiDeepLinkingRequest",
                    "target_link_uri": u["launch"],
                    "label": name,
                    "placements": list(DEEP_LINK_PLACEMENTS),
                    "roles": [],
                },
                {"type": "LtiResourceLinkRequest", "target_link_uri": u["launch"], "label": name},
            ],
            "https://canvas.instructure.com/lti/privacy_level": "public",
        },
    }


def canvas_config(base_url, name):
    """The developer-key JSON a Canvas admin pastes (or points Canvas at by URL)."""
    u = urls(base_url)
    placements = [
        {
            "placement": placement,
            "message_type": "LtiDeepLinkingRequest",
            "target_link_uri": u["launch"],
            "text": name,
            "selection_width": 800,
            "selection_height": 600,
        }
        for placement in DEEP_LINK_PLACEMENTS
    ]
    return {
        "title": name,
        "description": DESCRIPTION,
        "oidc_initiation_url": u["login"],
        "target_link_uri": u["launch"],
        "public_jwk_url": u["jwks"],
        "scopes": list(SCOPES),
        "extensions": [
            {
                "domain": urlsplit(base_url).netloc,
                "tool_id": "proctor-lti",
                "platform": "canvas.instructure.com",
                "privacy_level": "public",
                "settings": {"text": name, "placements": placements},
            }
        ],
        "custom_fields": dict(CUSTOM_PARAMETERS),
    }
