"""The certificate rules, free of I/O: completion (结业) and the certificate it earns, certificate numbers."""
