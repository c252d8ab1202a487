"""Running a build: what is up to date, the stages in order, the second process, staging, watch."""
