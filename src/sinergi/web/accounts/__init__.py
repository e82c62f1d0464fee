"""Users, their roles and region scope, agencies (OPD), and the access policy."""
