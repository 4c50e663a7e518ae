"""Receiving the tool's deep linking response: check it, then add its links and grade columns."""

import jwt

from lti_tool.db import db
from lti_tool.demo import ags, endpoints, hints, links, tool_keys
from lti_tool.demo.errors import DemoRefused, ServiceError
from lti_tool.demo.messages import LTI
from lti_tool.demo.models import DemoResourceLink

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RESPONSE_MESSAGE_TYPE = "LtiDeepLinkingResponse"


def receive(token):
    """Check an LtiDeepLinkingResponse JWT, store its resource links, commit; return their titles."""
    claims = _verified_claims(token)
    if claims.get(LTI + "message_type") != RESPONSE_MESSAGE_TYPE:
        raise DemoRefused("message_type", f"The message type must be {RESPONSE_MESSAGE_TYPE}.")
    if claims.get(LTI + "deployment_id") != endpoints.DEPLOYMENT_ID:
        raise DemoRefused("deployment_id", f"The deployment_id must be {endpoints.DEPLOYMENT_ID!r}.")
    hints.check_deep_link_data(claims.get(DL + "data"))
    items = _content_items(claims.get(DL + "content_items", []))
    titles = [_add_link(item).title for item in items]
    db.session.commit()
    return titles


def _verified_claims(token):
    """The response's claims, once its signature, issuer, audience and expiry check out."""
    if not token:
        raise DemoRefused("JWT", "The response carried no JWT.")
    try:
        return tool_keys.decode(token, audience=endpoints.platform_url(), issuer=endpoints.CLIENT_ID)
    except jwt.InvalidIssuerError as exc:
        raise DemoRefused("iss", f"The issuer must be the client_id {endpoints.CLIENT_ID!r}.") from exc
    except jwt.InvalidAudienceError as exc:
        raise DemoRefused("aud", f"The audience must be the demo platform, {endpoints.platform_url()}.") from exc
    except jwt.ExpiredSignatureError as exc:
        raise DemoRefused("exp", "The response has expired.") from exc
    except jwt.InvalidTokenError as exc:
        raise DemoRefused("signature", f"The JWT does not verify against the tool's keys ({exc}).") from exc


def _content_items(items):
    """The content items, which must be at most one ltiResourceLink (what the request accepted)."""
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise DemoRefused("content_items", "content_items must be a list of objects.")
    if len(items) > 1:
        raise DemoRefused("content_items", "The request accepted one item (accept_multiple is false).")
    if any(item.get("type") != "ltiResourceLink" for item in items):
        raise DemoRefused("content_items", "The request accepted only ltiResourceLink items.")
    return items


def _add_link(item):
    """A DemoResourceLink for one content item, with its line item when the item asks for one."""
    custom = item.get("custom") or {}
    if not isinstance(custom, dict) or not all(isinstance(value, str) for value in custom.values()):
        raise DemoRefused("custom", "custom must be an object of strings.")
    link = DemoResourceLink(title=item.get("title") or "Untitled exam", url=item.get("url"), custom=custom)
    db.session.add(link)
    db.session.flush()
    line_item = item.get("lineItem")
    if line_item is not None:
        link.line_item_id = _add_line_item(line_item, links.link_id(link)).id
    return link


def _add_line_item(line_item, link_id):
    """The grade column a content item's lineItem describes, bound to its new link."""
    if not isinstance(line_item, dict):
        raise DemoRefused("lineItem", "lineItem must be an object.")
    try:
        return ags.add_line_item(
            label=line_item.get("label") or "Exam", score_maximum=line_item.get("scoreMaximum"),
            resource_id=line_item.get("resourceId"), tag=line_item.get("tag"), resource_link_id=link_id,
        )
    except ServiceError as exc:
        raise DemoRefused("lineItem", exc.description) from exc
