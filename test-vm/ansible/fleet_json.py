# fleet_json: a stdout callback for test-vm/fleet.sh, the shape of the
# json callback of the ansible.posix collection (which Debian's ansible-core
# does not carry): at the end one JSON object on stdout,
#   {"plays": [{"play": {"name"}, "tasks": [{"task": {"name"},
#               "hosts": {HOST: result}}]}],
#    "stats": {HOST: {"ok", "changed", "failures", "unreachable", "skipped"}}}
# where a result is the task's result as Ansible has it (rc, stdout, msg,
# changed, failed, ...).  Used with ANSIBLE_CALLBACK_PLUGINS=test-vm/ansible
# ANSIBLE_STDOUT_CALLBACK=fleet_json.
import json

from ansible.parsing.ajson import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'fleet_json'

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({'play': {'name': play.get_name()}, 'tasks': []})

    def _task(self, task):
        tasks = self.plays[-1]['tasks']
        if not tasks or tasks[-1]['_uuid'] != task._uuid:
            tasks.append({'_uuid': task._uuid, 'task': {'name': task.get_name()}, 'hosts': {}})
        return tasks[-1]

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._task(task)

    def _record(self, result, **extra):
        r = dict(self._clean_results(result._result, result._task.action) or result._result)
        r.update(extra)
        self._task(result._task)['hosts'][result._host.get_name()] = r

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        out = {'stats': {}, 'plays': self.plays}
        for h in sorted(stats.processed):
            s = stats.summarize(h)
            out['stats'][h] = {k: s.get(k, 0) for k in ('ok', 'changed', 'failures', 'unreachable', 'skipped')}
        for p in self.plays:
            for t in p['tasks']:
                t.pop('_uuid', None)
        self._display.display(json.dumps(out, cls=AnsibleJSONEncoder, indent=1, sort_keys=True))
