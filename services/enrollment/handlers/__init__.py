"""The register's commands, by concern: each changes rows and records the state event of every row it changed, in
the caller's unit of work (a change grows the row's version by one; its event carries the whole row)."""
