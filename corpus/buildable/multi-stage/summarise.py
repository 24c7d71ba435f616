"""Print the name and version of the system whose os-release file is given."""

import sys

fields = dict(line.rstrip("\n").split("=", 1) for line in open(sys.argv[1]) if "=" in line)
print(fields["PRETTY_NAME"].strip('"'))
