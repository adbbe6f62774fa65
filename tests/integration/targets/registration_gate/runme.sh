#!/usr/bin/env bash
# The change-window gate as a playbook writes it: pre, the change, post; once with a harmless change,
# once with a change that takes a phone down (the postcheck must fail).
set -eu
# shellcheck source=/dev/null  # the setup target, copied next to this one (needs/target/setup_simulator)
source ../setup_simulator/simulator.sh
ansible-playbook -i ../setup_simulator/files/localhost.yml playbook.yml "$@" 2>&1 | tee "$SIM_STATE_DIR/run.log"
assert_secret_not_in "$SIM_STATE_DIR/run.log"
