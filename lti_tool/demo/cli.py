"""`flask demo ...`: set up the demo platform for a newcomer; switch its gradebook outage on and off."""

import click
from flask import current_app
from flask.cli import AppGroup

from lti_tool.db import db
from lti_tool.demo import endpoints, keys, outage, registration

cli = AppGroup("demo", help="The demo LTI platform at /demo (development only).")


@cli.command("seed")
def seed():
    """Register the demo platform with the tool and make its key; safe to run again."""
    platform = registration.register(origin="cli")
    db.session.commit()
    keys.current()
    click.echo(f"Demo platform {platform.id} registered: {platform.issuer} client {platform.client_id}.")
    click.echo(f"Open {endpoints.platform_url()} to launch the tool as each role.")


@cli.command("addresses")
def addresses():
    """Say where the tool and the demo platform answer (scripts/run prints it as it starts)."""
    click.echo(f"Proctor LTI is starting on {current_app.config['TOOL_BASE_URL']}")
    click.echo(f"Try it with no LMS: open {endpoints.platform_url()}")


@cli.command("outage")
@click.argument("state", type=click.Choice(["on", "off"]))
def outage_switch(state):
    """Take the demo gradebook offline (on) or bring it back (off)."""
    outage.set_gradebook_offline(state == "on")
    if state == "on":
        click.echo(f"The demo gradebook is offline: its AGS and token endpoints answer 503 (Retry-After: "
                   f"{outage.RETRY_AFTER_SECONDS}); the tool keeps grades pending and retries them.")
    else:
        click.echo("The demo gradebook is back; pending grades arrive at the tool's next try.")
