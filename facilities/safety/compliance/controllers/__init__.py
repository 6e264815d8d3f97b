from facilities.safety.compliance.controllers.api import ComplianceApi
from facilities.safety.compliance.controllers.pages import CertificatePages

__all__ = ["CertificatePages", "ComplianceApi"]
