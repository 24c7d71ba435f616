FROM opensuse/leap:15.6
RUN zypper refresh \
    && zypper --non-interactive install --no-recommends curl tar gzip \
    && zypper clean --all
