#!/usr/bin/env bash
# The lookup in templates and conditionals, connection from the AICC_* environment.
set -eu
# shellcheck source=/dev/null  # the setup target, copied next to this one (needs/target/setup_simulator)
source ../setup_simulator/simulator.sh
ansible-playbook -i ../setup_simulator/files/localhost.yml playbook.yml -vvv "$@" 2>&1 | tee "$SIM_STATE_DIR/run.log"
assert_secret_not_in "$SIM_STATE_DIR/run.log"
