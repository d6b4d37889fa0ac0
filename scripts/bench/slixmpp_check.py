#!/usr/bin/python3
"""The peer for `npm run bench`: the same XEP-0279 check as `xmpp-sic check`, done with slixmpp.

    XMPP_PASSWORD=... /usr/bin/python3 scripts/bench/slixmpp_check.py JID HOST PORT CA_FILE

STARTTLS only (slixmpp's default), SCRAM-SHA-1 (what `xmpp-sic` picks against Prosody 0.12,
whose internal_hashed store offers no SCRAM-SHA-256), the certificate verified against CA_FILE for
the JID's domain (slixmpp's `ca_certs`; check_hostname is on by default), and the sic:0 query
through the xep_0279 plugin's check_ip(). Prints the IP as soon as the answer arrives, then
closes the stream the way slixmpp does by default (stream footer, wait for the server's close)
and exits. The bench times the printed line, which is what a user sees; the exit comes one
round trip later. sic:0 has no port, so the answer is the IP only. Set SSLKEYLOGFILE to get
the TLS secrets (Python's ssl honours it).

Exit status: 0 answer printed, 1 failed (reason on stderr).
"""
import asyncio
import os
import sys

import slixmpp


class Check(slixmpp.ClientXMPP):
    def __init__(self, jid, password, ca_file):
        super().__init__(jid, password, sasl_mech="SCRAM-SHA-1")
        self.ca_certs = ca_file
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0279")
        self.answered = False
        self.add_event_handler("session_start", self.on_session)
        for event in ("failed_auth", "connection_failed", "stream_error"):
            self.add_event_handler(event, self.on_failure(event))

    def on_failure(self, event):
        def handler(detail=None):
            print(f"slixmpp_check: {event}: {detail}", file=sys.stderr, flush=True)
            self.disconnect(wait=0)
        return handler

    async def on_session(self, _event):
        try:
            iq = await self["xep_0279"].check_ip(timeout=15)
            # sic:0 carries the address only: <ip xmlns='urn:xmpp:sic:0'>203.0.113.7</ip>.
            print(iq["ip_check"], flush=True)
            self.answered = True
        except Exception as err:  # IqError, IqTimeout
            print(f"slixmpp_check: query failed: {err!r}", file=sys.stderr, flush=True)
        self.disconnect()


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    jid, host, port, ca_file = sys.argv[1:]
    password = os.environ.pop("XMPP_PASSWORD", "")
    xmpp = Check(jid, password, ca_file)
    # With an explicit address slixmpp skips SRV, but still resolves the JID's domain with its
    # default port; make that default our port so the address it picks is the one we gave.
    xmpp.default_port = int(port)
    xmpp.connect((host, int(port)))
    loop = asyncio.get_event_loop()
    try:
        loop.run_until_complete(asyncio.wait_for(xmpp.disconnected, 20))
    except asyncio.TimeoutError:
        print("slixmpp_check: no answer within 20 s", file=sys.stderr, flush=True)
    # slixmpp leaves its send filter task running after a disconnect; end it quietly.
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    return 0 if xmpp.answered else 1


if __name__ == "__main__":
    sys.exit(main())
