"""Runs scim2-tester (an independent SCIM 2.0 conformance checker) against a running Upward.

Usage: check.py BASE_URL TOKEN. Prints every check and exits non-zero if any failed; a
skipped check is one the ServiceProviderConfig says Upward does not offer (bulk, sort,
etag, changing passwords).
"""

import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server


def main() -> int:
    base_url, token = sys.argv[1], sys.argv[2]
    http = Client(base_url=f"{base_url}/scim/v2", headers={"Authorization": f"Bearer {token}"})
    client = SyncSCIMClient(http)
    results = check_server(client)
    failed = 0
    for result in results:
        mark = {Status.SUCCESS: "ok  ", Status.SKIPPED: "skip"}.get(result.status, "FAIL")
        if mark == "FAIL":
            failed += 1
        print(f"{mark} {result.title}: {result.reason or ''}")
    print(f"{len(results)} checks, {failed} failed")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
