"""Print the ASCII form of an internationalised domain name (needs the idna package)."""

import idna

print(idna.encode("bücher.example").decode("ascii"))
