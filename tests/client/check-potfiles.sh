#!/bin/sh
# Fails when a file of client/ or data/ holds translatable strings but is
# missing from po/POTFILES.in, or when POTFILES.in names a file that is gone.
#
#   check-potfiles.sh SOURCE_ROOT
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

root=${1:-.}
cd "$root"

potfiles=po/POTFILES.in
status=0

listed=$(grep -v '^[[:space:]]*#' "$potfiles" | sed '/^[[:space:]]*$/d')

for f in $listed; do
  if [ ! -f "$f" ]; then
    echo "po/POTFILES.in lists $f, which does not exist"
    status=1
  fi
done

candidates=$( {
  grep -rlE '(^|[^A-Za-z0-9_])(N?_|C_|NC_|g_dngettext)[[:space:]]*\(' --include='*.c' client 2>/dev/null || true
  grep -rl 'translatable="yes"' --include='*.ui' client 2>/dev/null || true
  ls data/*.desktop.in data/*.metainfo.xml.in data/*.gschema.xml 2>/dev/null || true
} | sort -u)

for f in $candidates; do
  if ! printf '%s\n' $listed | grep -qx "$f"; then
    echo "$f has translatable strings but is missing from po/POTFILES.in"
    status=1
  fi
done

if [ "$status" -eq 0 ]; then
  echo "po/POTFILES.in lists every file with translatable strings"
fi
exit $status
