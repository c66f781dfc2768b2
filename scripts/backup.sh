#!/usr/bin/env bash
# Back up the PostgreSQL database in DATABASE_URL with pg_dump (custom format).
#   scripts/backup.sh [DIRECTORY]     default /var/backups/trainingscatalogus
# Prints the file it wrote; removes dumps older than KEEP_DAYS (default 30).
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the postgres://… address of the database}"
dir=${1:-/var/backups/trainingscatalogus}
mkdir -p "$dir"
file="$dir/trainingscatalogus-$(date +%Y%m%d-%H%M%S).dump"
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$file.part"
mv "$file.part" "$file"
find "$dir" -name 'trainingscatalogus-*.dump' -mtime +"${KEEP_DAYS:-30}" -delete
echo "$file"
