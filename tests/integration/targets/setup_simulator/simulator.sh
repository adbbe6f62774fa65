# shellcheck shell=bash
# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced by a target's runme.sh: start the CC-CMS simulator of tests/simulator on a free loopback
# port with files/terminals.yml, export the AICC_* connection a user's AWX credential would inject
# (plus SIM_ADMIN_URL), and stop it when the script exits.
SETUP_SIMULATOR_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
COLLECTION_ROOT="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/aicc/cms"
SIM_STATE_DIR="$(mktemp -d)"
export SIM_STATE_DIR  # reports and logs of the run go here too
# a fresh secret per run, so a test can prove it never shows; given by environment, never on the command line
AICC_SECRET_KEY="secret-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export AICC_SECRET_KEY AICC_SIM_SECRET_KEY="$AICC_SECRET_KEY"

# from the collection's tests/, where the simulator package lives (every path here is absolute)
(cd "$COLLECTION_ROOT/tests" && exec "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python}" -m simulator \
  --port 0 --state-file "$SIM_STATE_DIR/state.json" --data "$SETUP_SIMULATOR_DIR/files/terminals.yml") \
  >"$SIM_STATE_DIR/simulator.log" 2>&1 &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; rm -rf "$SIM_STATE_DIR"' EXIT

for _ in $(seq 150); do
  [ -s "$SIM_STATE_DIR/state.json" ] && break
  kill -0 "$SIM_PID" 2>/dev/null || { cat "$SIM_STATE_DIR/simulator.log"; exit 1; }
  sleep 0.1
done
[ -s "$SIM_STATE_DIR/state.json" ] || { echo "the simulator did not start within 15 seconds"; cat "$SIM_STATE_DIR/simulator.log"; exit 1; }

_sim_field() {
  "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python}" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
    "$SIM_STATE_DIR/state.json" "$1"
}
AICC_URL="$(_sim_field url)"
AICC_ACCESS_KEY="$(_sim_field access_key)"
AICC_CA_PATH="$(_sim_field ca_path)"
SIM_ADMIN_URL="$(_sim_field admin_url)"
export AICC_URL AICC_ACCESS_KEY AICC_CA_PATH SIM_ADMIN_URL
export ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true

# The secret key must not appear in what a run printed (file given as $1).
assert_secret_not_in() {
  if grep -qF "$AICC_SECRET_KEY" "$1"; then echo "the secret key shows in $1"; exit 1; fi
}
