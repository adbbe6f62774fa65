# Copyright (c) 2026 aicc.cms contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory plugin run in process, over the scripted CC-CMS: groups, host vars, cache, failures."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleParserError
from ansible.plugins.loader import inventory_loader
from ansible_collections.aicc.cms.plugins.inventory.aicc_terminals import uap_group_name
from core_compat import cached_value, composed, replace_cached_value, validator_wording

from ..conftest import SECRET, row
from .conftest import PLUGIN_NAME

# Plugins run in the controller process; AICC_* variables of the shell running the tests stay out.
pytestmark = pytest.mark.usefixtures('controller_process', 'no_aicc_environment')

CONNECTION = f"""plugin: aicc.cms.aicc_terminals
url: https://cms.example.com:28443
access_key: unit-access-key
secret_key: {SECRET}
"""

TABLE = [
    row('8880001'),
    row('8880001', uap='10.10.0.2#2', register_status='not register', socket_status='fault'),
    row('8880002', register_status='not register', socket_status='uninstall'),
    row('8880003', uap='fd00::1#3'),
    row('8880150'),
]


def group_hosts(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def test_verify_file_accepts_only_aicc_terminals_configs(tmp_path):
    plugin = inventory_loader.get(PLUGIN_NAME)
    for name, accepted in [
        ('lab.aicc_terminals.yml', True),
        ('aicc_terminals.yaml', True),
        ('lab.yml', False),
        ('aicc_terminals.yml.bak', False),
        ('aicc_terminals.json', False),
    ]:
        path = tmp_path / name
        path.write_text(f'plugin: {PLUGIN_NAME}\n', encoding='utf-8')
        assert plugin.verify_file(str(path)) is accepted, name
    assert plugin.verify_file(str(tmp_path / 'absent.aicc_terminals.yml')) is False


def test_terminals_become_hosts_in_registration_uap_and_missing_groups(cms, parse_inventory):
    cms(TABLE)
    inventory = parse_inventory(CONNECTION + "eids: ['8880001', '8880002', '8880003', '8880009']\n")

    assert sorted(inventory.hosts) == ['8880001', '8880002', '8880003', '8880009']
    assert group_hosts(inventory, 'aicc_registered') == ['8880001', '8880003']  # registered on one UAP is enough
    assert group_hosts(inventory, 'aicc_not_registered') == ['8880002', '8880009']
    assert group_hosts(inventory, 'aicc_missing') == ['8880009']
    assert group_hosts(inventory, 'aicc_uap_10_10_0_1_1') == ['8880001', '8880002']
    assert group_hosts(inventory, 'aicc_uap_10_10_0_2_2') == ['8880001']
    assert group_hosts(inventory, 'aicc_uap_fd00__1_3') == ['8880003']

    host_vars = inventory.get_host('8880001').get_vars()
    terminal = host_vars['aicc_terminal']
    assert terminal['equipment_id'] == '8880001' and terminal['registered'] is True and terminal['missing'] is False
    assert [uap['socket_status'] for uap in terminal['uaps']] == ['normal', 'fault']
    # nothing that would make Ansible connect to a phone
    assert not {name for name in host_vars if name.startswith('ansible_')} - {'inventory_file', 'inventory_dir'}
    assert inventory.get_host('8880009').get_vars()['aicc_terminal'] == {
        'equipment_id': '8880009',
        'registered': False,
        'missing': True,
        'uaps': [],
    }


def test_empty_registration_groups_exist_so_a_play_can_tell_empty_from_absent(cms, parse_inventory):
    cms(TABLE)
    inventory = parse_inventory(CONNECTION + "eids: ['8880003']\n")
    assert group_hosts(inventory, 'aicc_registered') == ['8880003']
    assert group_hosts(inventory, 'aicc_not_registered') == []


def test_exact_ids_are_grouped_into_bounded_queries(cms, parse_inventory):
    served = cms(TABLE)
    inventory = parse_inventory(CONNECTION + "eid_ranges: ['8880000-8880199']\n")
    assert sorted(served.queried) == ['88800??', '88801??']
    assert len(inventory.hosts) == 200  # every requested ID is a host: the unknown ones are never left out
    assert group_hosts(inventory, 'aicc_registered') == ['8880001', '8880003', '8880150']
    assert len(group_hosts(inventory, 'aicc_missing')) == 196


def test_a_failed_query_fails_the_source_instead_of_shrinking_it(cms, parse_inventory):
    cms(TABLE, failing=['88801??'])
    with pytest.raises(AnsibleParserError) as caught:
        parse_inventory(CONNECTION + "eid_ranges: ['8880000-8880199']\n")
    message = str(caught.value)
    assert message.startswith(
        '1 of 2 queries failed, so 100 requested terminals are unknown; first failure: EID 88801??: CC-CMS returned'
        ' 0100001 (call failed)'
    )
    assert SECRET not in message


def test_keyed_groups_compose_and_groups_see_the_record(cms, parse_inventory):
    cms(TABLE)
    inventory = parse_inventory(
        CONNECTION
        + """eids: ['8880001', '8880002']
keyed_groups:
  - key: aicc_terminal.uaps | map(attribute='socket_status') | list
    prefix: socket
compose:
  uap_count: aicc_terminal.uaps | length
groups:
  dual_homed: aicc_terminal.uaps | length > 1
"""
    )
    assert group_hosts(inventory, 'socket_normal') == ['8880001']
    assert group_hosts(inventory, 'socket_fault') == ['8880001']
    assert group_hosts(inventory, 'socket_uninstall') == ['8880002']
    assert group_hosts(inventory, 'dual_homed') == ['8880001']
    assert composed(inventory.get_host('8880001').get_vars()['uap_count']) == 2


def test_api_strings_are_never_rendered_as_templates(cms, parse_inventory):
    cms([row('8880001', socket_status='{{ 6 * 7 }}')])
    inventory = parse_inventory(
        CONNECTION
        + """eids: ['8880001']
compose:
  copied_status: aicc_terminal.uaps[0].socket_status
"""
    )
    assert inventory.get_host('8880001').get_vars()['copied_status'] == '{{ 6 * 7 }}'


def test_hostname_template_names_hosts_and_duplicates_fail(cms, parse_inventory):
    cms(TABLE)
    inventory = parse_inventory(
        CONNECTION + "eids: ['8880001', '8880002']\nhostname: \"phone-{{ aicc_terminal.equipment_id }}\"\n"
    )
    assert sorted(inventory.hosts) == ['phone-8880001', 'phone-8880002']
    assert group_hosts(inventory, 'aicc_not_registered') == ['phone-8880002']

    with pytest.raises(
        AnsibleParserError, match="hostname gives the same name 'phone' to terminals 8880001 and 8880002"
    ):
        parse_inventory(CONNECTION + "eids: ['8880001', '8880002']\nhostname: phone\n")


def test_connection_options_accept_templates(cms, parse_inventory):
    served = cms(TABLE)
    parse_inventory("""plugin: aicc.cms.aicc_terminals
url: "{{ 'https://cms.example.com:' ~ (28000 + 443) }}"
access_key: "{{ 'unit-' ~ 'access-key' }}"
secret_key: "{{ 'unit-secret' ~ '-key' }}"
eids: ['8880001']
""")
    params = served.params
    assert (params['url'], params['access_key'], params['secret_key']) == (
        'https://cms.example.com:28443',
        'unit-access-key',
        SECRET,
    )


def test_environment_supplies_the_connection(cms, parse_inventory, monkeypatch):
    served = cms(TABLE)
    monkeypatch.setenv('AICC_URL', 'https://env.example.com:28443')
    monkeypatch.setenv('AICC_ACCESS_KEY', 'env-access-key')
    monkeypatch.setenv('AICC_SECRET_KEY', 'env-secret-key')
    monkeypatch.setenv('AICC_CC_ID', '2')
    inventory = parse_inventory("plugin: aicc.cms.aicc_terminals\neids: ['8880001']\n")
    params = served.params
    assert (params['url'], params['access_key'], params['secret_key'], params['cc_id']) == (
        'https://env.example.com:28443',
        'env-access-key',
        'env-secret-key',
        2,
    )
    assert sorted(inventory.hosts) == ['8880001']


@pytest.mark.parametrize(
    'extra, expected',
    [
        ('max_concurrency: 11\n', 'max_concurrency must be an integer between 1 and 10, got 11'),
        ("eids: ['888*']\n", "EID pattern '888*' cannot be bounded"),
        ("eid_ranges: ['8880009-8880001']\n", 'starts after it ends'),
        ('eids: []\n', 'no terminals selected'),
    ],
)
def test_bad_options_fail_with_the_option_layer_sentence(cms, parse_inventory, extra, expected):
    served = cms(TABLE)
    config = (
        CONNECTION + extra if extra.startswith(('eids', 'eid_ranges')) else CONNECTION + "eids: ['8880001']\n" + extra
    )
    with pytest.raises(AnsibleParserError, match=expected.replace('*', r'\*')) as caught:
        parse_inventory(config)
    assert SECRET not in str(caught.value)
    assert served.queried == []


def test_missing_url_is_named(cms, parse_inventory):
    cms(TABLE)
    with pytest.raises(AnsibleParserError, match='url'):
        parse_inventory("plugin: aicc.cms.aicc_terminals\naccess_key: a\nsecret_key: b\neids: ['8880001']\n")


def cached_config(cache_dir):
    return (
        CONNECTION
        + f"""eid_ranges: ['8880000-8880199']
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: {cache_dir}
"""
    )


def test_cache_hit_sends_no_request_and_gives_the_same_inventory(cms, parse_inventory, tmp_path):
    config = cached_config(tmp_path / 'cache')
    first_served = cms(TABLE)
    first = parse_inventory(config)
    assert len(first_served.queried) == 2

    cache_files = list((tmp_path / 'cache').iterdir())
    assert len(cache_files) == 1
    stored = cache_files[0].read_text(encoding='utf-8')
    assert SECRET not in stored
    assert cached_value(stored)['format'] == 1

    second_served = cms([])  # a cache miss would now find nothing
    second = parse_inventory(config)
    assert second_served.queried == []
    assert sorted(second.hosts) == sorted(first.hosts)
    assert (
        second.get_host('8880001').get_vars()['aicc_terminal'] == first.get_host('8880001').get_vars()['aicc_terminal']
    )

    # --flush-cache (cache=False) asks CC-CMS again and stores the new answer
    third_served = cms(TABLE[:1])
    third = parse_inventory(config, cache=False)
    assert len(third_served.queried) == 2
    assert group_hosts(third, 'aicc_registered') == ['8880001']


def test_cache_of_another_query_or_format_is_a_miss(cms, parse_inventory, tmp_path):
    config = cached_config(tmp_path / 'cache')
    cms(TABLE)
    parse_inventory(config)
    cache_file = next((tmp_path / 'cache').iterdir())
    stored = cache_file.read_text(encoding='utf-8')
    cache_file.write_text(replace_cached_value(stored, dict(cached_value(stored), format=0)), encoding='utf-8')

    served = cms(TABLE)
    parse_inventory(config)
    assert len(served.queried) == 2  # old format: asked again

    served = cms(TABLE)
    parse_inventory(config.replace("['8880000-8880199']", "['8880000-8880099']"))
    assert served.queried == ['88800??']  # another query: asked again


def test_a_failed_refresh_is_not_cached(cms, parse_inventory, tmp_path):
    config = cached_config(tmp_path / 'cache')
    cms(TABLE, failing=['88800??'])
    with pytest.raises(AnsibleParserError):
        parse_inventory(config)
    assert not (tmp_path / 'cache').exists() or not list((tmp_path / 'cache').iterdir())


@pytest.mark.parametrize(
    'uap, expected',
    [
        ({'uap_ip': '10.10.0.1', 'uap_id': 1}, 'aicc_uap_10_10_0_1_1'),
        ({'uap_ip': 'fd00::1', 'uap_id': 'a-b'}, 'aicc_uap_fd00__1_a_b'),
        ({'uap_ip': '10.10.0.1', 'uap_id': None}, 'aicc_uap_10_10_0_1'),
        ({'uap_ip': None, 'uap_id': None}, None),
    ],
)
def test_uap_group_names_are_sanitised(uap, expected):
    assert uap_group_name(uap) == expected


def test_unknown_config_keys_are_refused_with_the_valid_ones(cms, parse_inventory):
    # a typo of eid_ranges: silently ignored, the inventory held one terminal and could read as "all registered"
    served = cms(TABLE)
    with pytest.raises(AnsibleParserError) as caught:
        parse_inventory(CONNECTION + "eids: ['8880001']\neid_range: ['8880000-8880009']\n")
    message = str(caught.value)
    assert message.startswith(
        'unknown option eid_range for aicc.cms.aicc_terminals: check the spelling; valid options are '
    )
    for valid in ('eid_ranges', 'eids (alias eid)', 'keyed_groups', 'cache_timeout', 'hostname', 'plugin'):
        assert valid in message
    assert SECRET not in message
    assert served.queried == []


def test_aliases_are_valid_config_keys(cms, parse_inventory):
    served = cms(TABLE)
    inventory = parse_inventory(
        f'plugin: aicc.cms.aicc_terminals\nurl: https://cms.example.com:28443\nak: alias-ak\nsk: {SECRET}\neid:'
        " ['8880002']\n"
    )
    assert sorted(inventory.hosts) == ['8880002']
    assert served.params['access_key'] == 'alias-ak'


@pytest.mark.parametrize(
    'setting, sentence',
    [
        (
            'validate_certs: maybe\n',
            (
                "argument 'validate_certs' is of type str and we were unable to convert to bool: The value 'maybe' is"
                ' not a valid boolean.'
            ),
        ),
        (
            "validate_certs: 'ture'\n",
            (
                "argument 'validate_certs' is of type str and we were unable to convert to bool: The value 'ture' is"
                ' not a valid boolean.'
            ),
        ),
        ('cc_id: abc\n', "argument 'cc_id' is of type str and we were unable to convert to int"),
    ],
)
def test_misspelt_values_in_the_file_get_the_module_sentence(cms, parse_inventory, setting, sentence):
    served = cms(TABLE)
    with pytest.raises(AnsibleParserError) as caught:
        parse_inventory(CONNECTION + "eids: ['8880001']\n" + setting)
    assert validator_wording(str(caught.value)).startswith(sentence)
    assert served.queried == []


@pytest.mark.parametrize(
    'name, value, sentence',
    [
        (
            'AICC_VALIDATE_CERTS',
            'ture',
            (
                "argument 'validate_certs' is of type str and we were unable to convert to bool: The value 'ture' is"
                ' not a valid boolean.'
            ),
        ),
        ('AICC_CC_ID', 'abc', "argument 'cc_id' is of type str and we were unable to convert to int"),
    ],
)
def test_misspelt_values_in_the_environment_get_the_module_sentence(
    cms, parse_inventory, monkeypatch, name, value, sentence
):
    served = cms(TABLE)
    monkeypatch.setenv(name, value)
    with pytest.raises(AnsibleParserError) as caught:
        parse_inventory(CONNECTION + "eids: ['8880001']\n")
    assert validator_wording(str(caught.value)).startswith(sentence)
    assert served.queried == []


def test_empty_environment_variables_count_as_not_set(cms, parse_inventory, monkeypatch):
    # what AWX injects for an empty optional credential field
    served = cms(TABLE)
    for name in ('AICC_CC_ID', 'AICC_CA_PATH', 'AICC_VALIDATE_CERTS', 'AICC_MAX_CONCURRENCY'):
        monkeypatch.setenv(name, '')
    parse_inventory(CONNECTION + "eids: ['8880001']\n")
    params = served.params
    assert (params['cc_id'], params['ca_path'], params['validate_certs'], params['max_concurrency']) == (
        None,
        None,
        True,
        5,
    )


@pytest.mark.parametrize(
    'extra, sentence',
    [
        ("eids: ['8880001']\nak: other-ak\n", 'access_key and its alias ak are both set: give only one of them'),
        ('eids: [010]\n', 'eids holds the number 8 where a string belongs: quote the ID'),
        ("eids: ['8880001']\npage_size: .inf\n", 'page_size must be an integer between 1 and 1000, got inf'),
        (
            "eids: ['8880001']\nallow_unbounded_wildcards: perhaps\n",
            "argument 'allow_unbounded_wildcards' is of type str and we were unable to convert to bool",
        ),
    ],
)
def test_hostile_values_fail_the_source_with_one_sentence(cms, parse_inventory, extra, sentence):
    served = cms(TABLE)
    with pytest.raises(AnsibleParserError) as caught:
        parse_inventory(CONNECTION + extra)
    assert validator_wording(str(caught.value)).startswith(sentence)
    assert served.params is None  # refused before any client is built
