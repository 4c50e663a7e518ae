"""pylti1p3's view of our database: registrations, deployments and the tool's signing key."""

from pylti1p3.deployment import Deployment as LibDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract

from lti_tool.launch import registry


class PlatformRegistration(Registration):
    """A pylti1p3 Registration that remembers its platform (a Platform row or registry's record of one) and signs
    with our current key."""

    def __init__(self, platform, tool_key):
        super().__init__()
        self.platform = platform
        self.tool_key = tool_key
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.token_url)
        self.set_key_set_url(platform.jwks_url)
        self.set_key_set(platform.jwks_cache)
        self.set_tool_private_key(tool_key.private_key_pem)

    def get_kid(self):
        return self.tool_key.kid


class DatabaseToolConf(ToolConfAbstract):
    """One per login or launch, reading the worker's copies of the registrations and key (registry.py)."""

    def __init__(self, key_bits=2048):
        super().__init__()
        self.key_bits = key_bits
        # Instance-level, so pylti1p3's class-level dict is never shared between requests.
        self.issuers_relation_types = {}

    def _platform(self, iss, client_id):
        return registry.platform_for_login(iss, client_id)

    def check_iss_has_one_client(self, iss):
        return self._platform(iss, None) is not None  # found without a client_id only when it is the one

    def _registration(self, platform):
        if platform is None:
            return None
        return PlatformRegistration(platform, registry.signing_key(self.key_bits))

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        return self._registration(self._platform(iss, None))

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        return self._registration(self._platform(iss, client_id))

    def _deployment(self, platform, deployment_id):
        if platform is None or registry.deployment_row(platform, deployment_id) is None:
            return None
        return LibDeployment().set_deployment_id(deployment_id)

    def find_deployment(self, iss, deployment_id):
        return self._deployment(self._platform(iss, None), deployment_id)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        return self._deployment(self._platform(iss, client_id), deployment_id)
