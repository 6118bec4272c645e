# xdpld_upload: put one file on a router that has no Python (busybox and
# dropbear: no sftp-server, no scp), idempotently.
#
#   xdpld_upload: src=PATH|content=TEXT dest=PATH [mode=0644]
#   xdpld_upload: src=PATH dest_dir=DIR name=NAME   (content-addressed:
#                 DIR/NAME-<first 16 hex digits of its sha256>.o)
#
# Runs on the controller.  Asks the router for `sha256sum DEST` first: the
# same digest means nothing is sent and the result is not "changed".
# Otherwise the bytes go over the connection's put_file (ssh with
# ansible_ssh_transfer_method=piped: `dd of=...` over the SSH channel) to
# DEST.xdpld-upload, are checked with sha256sum there, and renamed into
# place (a reader never sees half a file).  Returns dest and sha256.
# check mode: reports what would change, sends nothing.
import hashlib
import os
import shlex
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    _VALID_ARGS = frozenset(('src', 'content', 'dest', 'dest_dir', 'name', 'mode'))
    _supports_check_mode = True

    def _sh(self, cmd):
        r = self._low_level_execute_command(cmd, sudoable=False)
        return r['rc'], r['stdout'], r['stderr']

    def _remote_sha256(self, path):
        rc, out, _ = self._sh('sha256sum %s 2>/dev/null' % shlex.quote(path))
        digest = out.split(None, 1)[0] if rc == 0 and out.strip() else ''
        return digest if len(digest) == 64 else None

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        src, content = args.get('src'), args.get('content')
        if (src is None) == (content is None):
            raise AnsibleActionFail('xdpld_upload: give src or content (one of them)')
        if src is not None:
            try:
                path = self._find_needle('files', src)
                with open(to_bytes(path, errors='surrogate_or_strict'), 'rb') as f:
                    data = f.read()
            except Exception as e:
                raise AnsibleActionFail('xdpld_upload: cannot read %s: %s' % (src, to_text(e)))
        else:
            data = to_bytes(content, errors='surrogate_or_strict')
        digest = hashlib.sha256(data).hexdigest()

        dest = args.get('dest')
        if dest is None:
            if not args.get('dest_dir') or not args.get('name'):
                raise AnsibleActionFail('xdpld_upload: give dest, or dest_dir and name')
            name = to_text(args['name'])
            if '/' in name or name.startswith('.'):
                raise AnsibleActionFail("xdpld_upload: name '%s' is not a file name" % name)
            dest = '%s/%s-%s.o' % (to_text(args['dest_dir']).rstrip('/'), name, digest[:16])
        mode = to_text(args.get('mode', '0644'))
        if not mode.isdigit():
            raise AnsibleActionFail("xdpld_upload: mode '%s' is not octal digits" % mode)
        result.update(dest=dest, sha256=digest, size=len(data))

        if self._remote_sha256(dest) == digest:
            result['changed'] = False
            return result
        result['changed'] = True
        if self._task.check_mode:
            return result

        part = dest + '.xdpld-upload'
        q_dest, q_part = shlex.quote(dest), shlex.quote(part)
        rc, _, err = self._sh('mkdir -p %s && rm -f %s' % (shlex.quote(os.path.dirname(dest) or '/'), q_part))
        if rc != 0:
            raise AnsibleActionFail('xdpld_upload: mkdir for %s failed: %s' % (dest, err.strip()))
        fd, local = tempfile.mkstemp(prefix='xdpld_upload.')
        try:
            with os.fdopen(fd, 'wb') as f:
                f.write(data)
            self._connection.put_file(local, part)
        finally:
            os.unlink(local)
        got = self._remote_sha256(part)
        if got != digest:
            self._sh('rm -f %s' % q_part)
            raise AnsibleActionFail('xdpld_upload: %s arrived as sha256 %s, sent %s (%d bytes)'
                                    % (part, got, digest, len(data)))
        rc, _, err = self._sh('chmod %s %s && mv -f %s %s' % (mode, q_part, q_part, q_dest))
        if rc != 0:
            raise AnsibleActionFail('xdpld_upload: installing %s failed: %s' % (dest, err.strip()))
        return result
