"""Deep Linking: answer the LMS with a signed resource link for the chosen exam, plus its grade column."""

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from sqlalchemy import select

from lti_tool.db import db
from lti_tool.errors import Forbidden, NotFound
from lti_tool.launch import keys
from lti_tool.launch.claims import CLAIM_DEEP_LINKING, DEEP_LINKING_REQUEST
from lti_tool.launch.models import Launch
from lti_tool.launch.tool_conf import PlatformRegistration

# The gradebook column counts in percent. Each score carries its own scoreMaximum (the exam's points) and
# the platform scales it to the column, as AGS asks of platforms (Moodle and Canvas do).
SCORE_MAXIMUM = 100


def deep_linking_launch(context):
    """The deep-linking launch a token belongs to, or a refusal."""
    launch = db.session.scalar(select(Launch).filter_by(id=context.launch_id))
    if launch is None or launch.message_type != DEEP_LINKING_REQUEST:
        raise NotFound("This page belongs to an LMS request to add the tool, and that request was not found.")
    if launch.user_id != context.user_id:
        raise Forbidden("This request to add the tool belongs to someone else.")
    return launch


def settings(launch):
    return launch.claims[CLAIM_DEEP_LINKING]


def response(launch, exam, *, launch_url, key_bits):
    """The deep_link_return_url and the signed LtiDeepLinkingResponse JWT for one exam."""
    registration = PlatformRegistration(launch.platform, keys.current(key_bits))
    deep_link = DeepLink(registration, launch.deployment.deployment_id, settings(launch))
    line_item = (
        LineItem()
        .set_score_maximum(SCORE_MAXIMUM)
        .set_label(exam.title)
        .set_resource_id(f"exam-{exam.id}")
    )
    resource = (
        DeepLinkResource()
        .set_title(exam.title)
        .set_url(launch_url)
        .set_custom_params({"exam_id": str(exam.id)})
        .set_lineitem(line_item)
    )
    return settings(launch)["deep_link_return_url"], deep_link.get_response_jwt([resource])
