#!/usr/bin/env bash
# Prove a backup can be restored: restore DUMPFILE into a scratch database next to the one in
# DATABASE_URL and compare the row counts of the main tables. Exits 1 on any difference.
#   scripts/restore_check.sh DUMPFILE
# (Counts can only match if nothing was written since the dump; run it right after backup.sh.)
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the postgres://… address of the database}"
dump=${1:?usage: scripts/restore_check.sh DUMPFILE}
server=${DATABASE_URL%/*}
scratch="restore_check_$(date +%s)_$$"
psql "$server/postgres" -qc "CREATE DATABASE $scratch"
trap 'psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $scratch" >/dev/null' EXIT
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$server/$scratch" "$dump"
status=0
for table in trainings_course trainings_session trainings_sessionday enrolments_enrolment \
             enrolments_enrolmentevent enrolments_interest auth_user auth_group; do
  live=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM $table")
  restored=$(psql "$server/$scratch" -tAc "SELECT count(*) FROM $table")
  if [ "$live" = "$restored" ]; then
    echo "$table: $restored"
  else
    echo "MISMATCH $table: $live in the database, $restored in the backup"
    status=1
  fi
done
[ $status -eq 0 ] && echo "Restore OK"
exit $status
