"""The reference side of the differential test (tests/hardening.rs): for each case folder
under ROOT, the PEP 503 names of the requirements that pip's own requirements-file parser
reads from its requirements.txt (constraints left out), or the error pip stops with.
One JSON object per line: {"case": ..., "names": [...]} or {"case": ..., "error": "..."}.
"""

import json
import os
import sys

from pip._internal.network.session import PipSession
from pip._internal.req.constructors import install_req_from_parsed_requirement
from pip._internal.req.req_file import parse_requirements
from pip._vendor.packaging.utils import canonicalize_name


def names_of(path, session):
    names = set()
    for parsed in parse_requirements(path, session=session):
        if parsed.constraint:
            continue
        req = install_req_from_parsed_requirement(parsed)
        if req.name:
            names.add(str(canonicalize_name(req.name)))
    return sorted(names)


def main(root):
    session = PipSession()
    for case in sorted(os.listdir(root)):
        path = os.path.join(root, case, "requirements.txt")
        try:
            result = {"case": case, "names": names_of(path, session)}
        except (Exception, SystemExit) as e:  # pip's option parser may exit
            result = {"case": case, "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(result), flush=False)


if __name__ == "__main__":
    main(sys.argv[1])
