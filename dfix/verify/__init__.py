"""``dfix verify``: prove fixes by building the original and the fixed Dockerfile and comparing the images.

:mod:`.builders` drives buildah, podman or docker behind one interface,
:mod:`.facts` reads what an image holds, :mod:`.compare` matches the
differences against what the applied fixes declare, :mod:`.verifier` runs
the builds for one file and :mod:`.report` prints the result.
"""
