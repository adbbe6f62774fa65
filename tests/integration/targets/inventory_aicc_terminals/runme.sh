#!/usr/bin/env bash
# The inventory source a user writes: terminals as hosts, grouped by registration and socket status,
# and a play over those that are not registered.
set -eu
# shellcheck source=/dev/null  # the setup target, copied next to this one (needs/target/setup_simulator)
source ../setup_simulator/simulator.sh
ansible-inventory -i terminals.aicc_terminals.yml --list "$@" > "$SIM_STATE_DIR/inventory.json"
"${ANSIBLE_TEST_PYTHON_INTERPRETER:-python}" check_inventory.py "$SIM_STATE_DIR/inventory.json"
ansible-playbook -i terminals.aicc_terminals.yml -i ../setup_simulator/files/localhost.yml not_registered.yml "$@" \
  2>&1 | tee "$SIM_STATE_DIR/run.log"
grep -q 'NOT_REGISTERED 8880003 missing=False' "$SIM_STATE_DIR/run.log"
grep -q 'NOT_REGISTERED 9999999 missing=True' "$SIM_STATE_DIR/run.log"
if grep -q 'NOT_REGISTERED 8880001' "$SIM_STATE_DIR/run.log"; then echo "a registered terminal was reported"; exit 1; fi
assert_secret_not_in "$SIM_STATE_DIR/run.log"
