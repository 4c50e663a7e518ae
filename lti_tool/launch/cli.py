"""`flask lti ...`: register platforms, list them, rotate the tool's key and its encryption, purge used nonces."""

import click
from flask import current_app
from flask.cli import AppGroup

from lti_tool.db import db
from lti_tool.launch import keys, platforms, registration_links, services, tool_metadata

cli = AppGroup("lti", help="LTI platforms and the tool's keys.")


@cli.command("add-platform")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. https://moodle.example.edu")
@click.option("--client-id", required=True, help="The client_id the platform gave the tool.")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authorization endpoint.")
@click.option("--token-url", required=True, help="The platform's OAuth2 token endpoint.")
@click.option("--jwks-url", required=True, help="The platform's public key set URL.")
@click.option("--deployment-id", "deployment_ids", multiple=True, help="A deployment id (repeatable).")
@click.option("--name", default=None, help="A name to show for the platform.")
def add_platform(issuer, client_id, auth_login_url, token_url, jwks_url, deployment_ids, name):
    """Register (or update) a platform and its deployments."""
    platform = platforms.save(
        issuer=issuer, client_id=client_id, name=name, auth_login_url=auth_login_url,
        token_url=token_url, jwks_url=jwks_url, deployment_ids=deployment_ids, via="cli",
        allow_http=current_app.config["ALLOW_INSECURE_PLATFORMS"], origin="cli", replace=True,
    )
    db.session.commit()
    click.echo(f"Platform {platform.id} saved: {platform.issuer} client {platform.client_id}, "
               f"deployments {', '.join(d.deployment_id for d in platform.deployments) or 'none'}")


@cli.command("registration-link")
@click.option("--valid-hours", default=72, show_default=True,
              type=click.IntRange(1, registration_links.MAX_VALID_HOURS), help="How long the link can be used.")
@click.option("--note", default=None, help="Who or which LMS the link is for (kept in the audit log).")
def registration_link(valid_hours, note):
    """Make a one-time link for LTI Dynamic Registration, to paste into Moodle or Canvas."""
    base_url = current_app.config["TOOL_BASE_URL"]
    if not base_url:
        raise click.ClickException("Set TOOL_BASE_URL (the tool's public https URL) first.")
    url, link = registration_links.issue(base_url=base_url, valid_hours=valid_hours, note=note, origin="cli")
    click.echo(url)
    click.echo(f"Works once, until {link.expires_at:%Y-%m-%d %H:%M} UTC. Paste it into the LMS's tool "
               "registration (Moodle: Manage tools > Tool URL > Add LTI Advantage).", err=True)


@cli.command("list-platforms")
def list_platforms():
    """List registered platforms."""
    rows = platforms.all_platforms()
    if not rows:
        click.echo("No platforms registered. Use `flask lti add-platform`, or `flask lti registration-link` "
                   "for dynamic registration.")
    for p in rows:
        deployments = ", ".join(d.deployment_id for d in p.deployments) or "none"
        click.echo(f"{p.id}\t{p.name}\t{p.issuer}\tclient={p.client_id}\tdeployments={deployments}\tvia={p.registered_via}")


@cli.command("rotate-key")
def rotate_key():
    """Make a new signing key; the previous one stays in the JWKS, older ones are retired."""
    new, retired = keys.rotate(current_app.config["TOOL_KEY_BITS"])
    click.echo(f"New signing key {new.kid}." + (f" Retired: {', '.join(retired)}." if retired else ""))


@cli.command("reencrypt-keys")
def reencrypt_keys():
    """Encrypt the signing keys again with the first key of KEY_ENCRYPTION_KEYS (after adding a new one)."""
    count = keys.reencrypt()
    click.echo(f"{count} signing key(s) encrypted with the first key of KEY_ENCRYPTION_KEYS; "
               "the other keys of the setting can be removed.")


@cli.command("forget-keys")
@click.confirmation_option(prompt="Delete the tool's signing keys? Every LMS then fetches the new public key.")
def forget_keys():
    """Delete the signing keys (when KEY_ENCRYPTION_KEYS was lost); a new one is made at once."""
    deleted = keys.forget()
    new = keys.current(current_app.config["TOOL_KEY_BITS"])
    click.echo(f"Deleted {deleted} signing key(s); new signing key {new.kid}.")


@cli.command("urls")
def show_urls():
    """Print the URLs an LMS admin needs."""
    for name, url in tool_metadata.urls(current_app.config["TOOL_BASE_URL"]).items():
        click.echo(f"{name:10} {url}")
    click.echo(f"{'register':10} a one-time link from `flask --app lti_tool lti registration-link`")


@cli.command("purge")
def purge():
    """Delete expired login states and used nonces."""
    click.echo(f"Purged {services.purge_expired()} rows.")
