"""Users, access, the audit trail, plant settings and server roles."""
