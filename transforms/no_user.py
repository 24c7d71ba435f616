"""DF400 no-user: the final image runs as root because no stage it is built from sets ``USER``.

What DF401 (last-user-root) shares with it lives in `transforms._users`:
reading the final stage's ``FROM`` chain, the accounts the file creates, the
base image's facts (`transforms._base_images`), the runtime guards, and
building the lines a fix inserts.

Where the new lines go (the same for DF400 and DF401)
-----------------------------------------------------

Right after the *last filesystem-changing instruction* of the final stage:
the last ``RUN``, ``COPY``, ``ADD``, ``WORKDIR`` or ``USER`` (for DF401,
after the ``USER root``), or after its ``FROM`` when it has none. In the
usual file that is just before the trailing ``EXPOSE``/``ENV``/``CMD``/
``ENTRYPOINT``/``HEALTHCHECK`` block, and comment lines that sit above the
next instruction stay with it. Why there and not earlier:

* every build step still runs exactly as before (as root), so no ``RUN``
  loses the right to install packages or write system paths;
* ``COPY``/``ADD`` ignore ``USER`` (files are root-owned unless
  ``--chown`` is given) but ``WORKDIR`` does not (BuildKit creates a missing
  directory owned by the current user); as all of them stay *before* the new
  ``USER``, the filesystem of the image is the same as before plus the new
  account and the owners below;
* only the runtime user changes, and the folders the process is expected to
  write are given to it in the same edit (`transforms._runtime_needs`): the
  final ``WORKDIR`` (the folder itself, so the app can add files, and what
  a ``COPY``/``ADD`` puts in it, through ``--chown=UID:GID`` on that
  instruction: an app writes its ``data/`` or ``conf/`` there, and the
  ``COPY`` that owns them stores no second copy, as ``chown -R`` would;
  only for a user given by number, which needs no account when the
  ``COPY`` runs), the folders the final
  stage creates with ``mkdir`` (with what the build put in them: data
  folders are often seeded), and the known homes of servers (Tomcat's
  ``work``/``temp``/``logs`` and ``webapps``, a Rails app's ``tmp``/``log``,
  a Play app's staged folder ...). The
  ``chown`` goes at the end of the RUN that creates the account (on a
  continuation line), or in its own ``RUN`` right before the ``USER`` when
  the account exists already. Shared system folders (``/``, ``/usr``,
  ``/srv``, ``/tmp``, ``/etc/...``) keep their owner. A folder that cannot
  be placed (a variable no ``ENV`` defines) stops the fix, and so does a
  ``VOLUME`` (a volume mounts root-owned). What the process writes beyond
  that stays root-owned: the caveat each fix states (``assumes``).

No comment line is added above the new instructions: ``USER 10001:10001``
after ``useradd`` says what it does, the report and the diff carry the why,
and a tool-branded comment goes stale once the file is edited by hand.

What the fix writes
-------------------

In this order of preference:

1. an account the file creates itself (``useradd``/``adduser`` with a literal
   name, in the final stage's chain, or in a stage whose ``/etc/passwd`` the
   final stage copies): ``USER <uid>:<gid>`` when both are literal numbers,
   ``USER <uid>`` when only the UID is (the GID then comes from
   ``/etc/passwd``) or when the account gets supplementary groups (``-G``,
   ``usermod -aG``: with no group in ``USER`` the runtime looks them up for
   the name that UID has, as for ``USER <name>``). When the file gives no
   UID, the account gets ``10001`` where it is created (``useradd
   --no-log-init --uid 10001``, Debian ``adduser --uid 10001``, BusyBox
   ``adduser -u 10001``) and
   the fix writes ``USER 10001``: a numeric USER is what Kubernetes'
   ``runAsNonRoot`` can verify (hadolint DL3066). Only when that edit is not
   safe (an exec-form or heredoc RUN, an account created twice or re-numbered
   with ``usermod -u``, a file that already uses the number 10001, a family
   whose ``adduser`` options are unknown) does the fix write ``USER <name>``.
   Several accounts: report only (which one runs the app is a judgement call);
2. a user the base image is known to ship for apps (``node`` → ``USER 1000:1000``,
   .NET 8+ ``app``);
3. a new account: Debian/Ubuntu and full RHEL-family images
   ``RUN groupadd --system --gid 10001 app && useradd --system --uid 10001
   --gid app --no-log-init --create-home app``; Alpine/BusyBox
   ``RUN addgroup -S -g 10001 app && adduser -S -D -u 10001 -G app app``;
   then ``USER 10001:10001``. RHEL *minimal* images (``ubi-minimal``,
   ``*-minimal``, Amazon Linux, ``microdnf``-only files) and SUSE have no
   ``useradd`` unless the file installs ``shadow-utils``/``shadow`` (or runs
   ``useradd`` already), so they are report only otherwise;
4. ``scratch`` and distroless (no shell, no account tools): ``USER
   65532:65532`` only (distroless ships ``nonroot`` as 65532; a numeric UID
   needs no ``/etc/passwd``).

The family comes from the base image's facts, inherited through in-file
stages, or from the package managers the chain runs (apt-get → Debian, apk →
Alpine, yum/dnf/microdnf → RHEL, zypper → SUSE) when the image is unknown;
when the two disagree, the family is unknown and nothing is written.

Never (report only, with the reason in the diagnostic's note):

* a name the file does not create and the base is not known to ship;
* ports below 1024: ``EXPOSE``, a listen flag or address in CMD/ENTRYPOINT
  (``--port 80``, ``-b 0.0.0.0:80``), a ``*PORT*``/``*_URLS``/``*BIND*`` ENV,
  or the base's own default (.NET < 8: port 80);
* a process that needs root or drops privileges itself: nginx, httpd, sshd,
  databases, supervisord, cron, s6/runit init ... as the program or named in
  its arguments (``consul-template -exec nginx``); ``gosu``/``su-exec``/
  ``setpriv`` anywhere in the image; a base whose own entrypoint drops
  privileges (the official databases' ``docker-entrypoint.sh``, nginx, httpd,
  php apache/fpm, Docker-in-Docker);
* an *unknown* base image whose ENTRYPOINT the file does not replace: that
  entrypoint runs the CMD and may need root or drop privileges itself;
* a base image, whose children's RUN steps a USER would make unprivileged:
  ONBUILD triggers; no CMD/ENTRYPOINT in the chain (unless the base is a
  server whose own command runs what the file adds, such as Tomcat); a CMD
  that is a bare interpreter or shell (``python3``, ``node``, ``bash``,
  ``php -a``, ``irb``, ``jshell``, ``ghci``, ``iex``, ``erl`` ..., also
  behind ``docker-entrypoint.sh``); a bare application server (``uwsgi``,
  ``gunicorn``, ``puma`` ...) in a file that copies no application in;
  docker-library helper scripts (``docker-php-ext-*``);
* paths under ``/root`` (mode 0700): a WORKDIR, COPY target, ENV path or
  CMD/ENTRYPOINT argument there, or root's dotfiles configured by a RUN that
  runs as root (``git config --global``, ``npm config set``, ``~/...``);
* package installs at run time (``CMD ["pip", "install", ...]``), privileged
  network tools (``iptables``, ``tcpdump``, ``nmap`` ...), services started
  through init scripts (``service x start``, ``/etc/init.d/``) or a start
  script next to an installed service (``mysql-server`` + ``start.sh``),
  configuration renderers (``confd``, ``consul-template``), a SQLite database
  created at build time (``rake db:setup``, ``manage.py migrate``);
* ``chown`` or ``COPY --chown`` to an account other than the one the fix
  would use (the author meant that account to run the app);
* a comment of the author about ``USER``, non-root, privileges or permission
  problems, or saying the command is overridden (by ``docker-compose``, by
  the user): the container then runs commands the file does not show;
* a ``VOLUME``: its directory is root-owned and the app writes there;
* a final ``WORKDIR`` the build leaves empty (nothing is copied, cloned or
  built there; a ``mkdir`` does not count): the image is a tool run on a
  checkout mounted there (a linter, a build or CI image), whose files keep
  their owners on the host, so a new user could not write them;
* ``sudo`` in the build (the base's user is not root); account-creating
  commands dfix cannot read (``useradd "$USER"``, inside an ``if``), or
  several accounts; an unknown or contradictory distro family; RHEL-minimal,
  Amazon Linux or SUSE without ``shadow-utils``; a non-POSIX SHELL where the
  new RUN would run;
* Windows images are not reported at all.
"""

from __future__ import annotations

from typing import Iterator

from dfix.engine import ADDS_USER, Context, Diagnostic, Invalid, Rule, Safety, Valid
from dfix.syntax import Run

from ._base_images import FACTS_VERSION
from ._users import BUSYBOX_CREATE, SHADOW_CREATE, plan_new_user, situation_of, user_fix_edits


class NoUser(Rule):
    """Run the final image as a non-root user when no stage it is built from sets ``USER``.

    A container that runs as root turns any escape through the app into root
    on the image's files, and into root on the host when user namespaces are
    off. The final stage (with the in-file stages it is built ``FROM``)
    never sets ``USER`` and its base image is not known to default to a
    non-root user, so the process runs as root.

    The fix (unsafe: the process runs as someone else) adds ``USER`` after
    the last build step, reusing an account the file creates (numerically:
    one created without a UID gets ``--uid 10001`` where it is created) or
    the base ships (``node``), or creating ``app`` (UID 10001) with the
    distro's tools, or a numeric ``USER 65532:65532`` on scratch/distroless.
    It never names an account nobody creates. The folders the process writes
    (its WORKDIR, folders the file creates, a server's known homes) are given to
    the user in the same edit. It is not offered when the process needs root
    (ports below 1024, nginx/sshd/database entrypoints, gosu, supervisord,
    paths under /root, run-time installs, privileged network tools), for base
    images (ONBUILD, no CMD/ENTRYPOINT, a bare interpreter CMD), with a VOLUME
    or a WORKDIR the build leaves empty (a tool run on a checkout mounted
    there), when an unknown base's ENTRYPOINT still runs, when the distro is
    unknown, or when the author's comments speak of USER problems. Build steps keep running
    as root; anything else the app writes stays root-owned, which is the caveat
    each fix states. See the module docstring for the placement and every guard.
    """

    code = "DF400"
    name = "no-user"
    summary = "the final image runs as root: no `USER` in its stages"
    safety = Safety.UNSAFE
    declared_effects = ADDS_USER
    #: Advice that needs a human look at what the app writes: never fails CI by default.
    severity = "info"

    valid = (
        Valid("FROM python:3.12-slim\nRUN useradd -m app\nUSER app\nCMD [\"python\"]\n"),
        Valid("FROM python:3.12 AS base\nUSER 1000\nFROM base\nCMD [\"x\"]\n", "USER inherited from an in-file stage"),
        Valid("FROM base AS base\nFROM debian AS build\nUSER 1000\nFROM build\nCMD [\"app\"]\n", "the final stage's ancestor sets USER"),
        Valid("FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\nENTRYPOINT [\"/app\"]\n", "distroless :nonroot already runs as 65532"),
        Valid("FROM nginxinc/nginx-unprivileged:1.25\nCOPY site /usr/share/nginx/html\n", "the base runs as 101"),
        Valid("FROM jenkins/jenkins:lts\nCOPY plugins.txt /usr/share/jenkins/ref/\n", "the base's default user is jenkins"),
        Valid("FROM cgr.dev/chainguard/python:latest\nCOPY app.py /app/\nCMD [\"/app/app.py\"]\n", "Chainguard images run as nonroot"),
        Valid(
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nCMD [\"app.exe\"]\n",
            "Windows containers are out of scope",
        ),
        Valid("FROM scratch AS export\nCOPY --from=build /out /\n", "an artifact stage that runs nothing"),
    )

    invalid = (
        Invalid(
            "FROM debian:12-slim\nCOPY server /app/server\nRUN mkdir -p /etc/myapp\n"
            "CMD [\"/app/server\", \"-c\", \"/etc/myapp/config.yml\"]\n",
            None,
            "the command names a file in an empty folder of /etc the build makes: the server writes it on first start",
        ),
        Invalid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nEXPOSE 8000\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]\n",
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY --chown=10001:10001 requirements.txt .\nRUN pip install -r requirements.txt\nCOPY --chown=10001:10001 . .\n"
            f"{SHADOW_CREATE} \\\n && chown 10001:10001 /app\nUSER 10001:10001\n"
            "EXPOSE 8000\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]\n",
            "Debian: groupadd/useradd after the last build step, before the runtime block; the WORKDIR is given to the user",
            unsafe=True,
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\nCOPY app /usr/local/bin/app\n\n# run it\nENTRYPOINT [\"app\"]\n",
            f"FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\nCOPY app /usr/local/bin/app\n{BUSYBOX_CREATE}\nUSER 10001:10001\n\n# run it\nENTRYPOINT [\"app\"]\n",
            "Alpine: BusyBox addgroup/adduser; the comment stays with the ENTRYPOINT",
            unsafe=True,
        ),
        Invalid(
            "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n",
            "FROM node:20-alpine\nWORKDIR /app\nCOPY --chown=1000:1000 . .\nRUN npm ci\nRUN chown 1000:1000 /app\nUSER 1000:1000\nCMD [\"node\", \"index.js\"]\n",
            "the node image ships `node`; it gets the WORKDIR, where dev servers write their caches",
            unsafe=True,
        ),
        Invalid(
            "FROM node:20\nENV DEFAULT_WORKDIR=/opt\nWORKDIR $DEFAULT_WORKDIR\nCOPY . explorer\nEXPOSE 8080\n"
            "CMD [\"node\", \"explorer/main.js\"]\n",
            "FROM node:20\nENV DEFAULT_WORKDIR=/opt\nWORKDIR $DEFAULT_WORKDIR\nCOPY . explorer\nUSER 1000:1000\n"
            "EXPOSE 8080\nCMD [\"node\", \"explorer/main.js\"]\n",
            "a WORKDIR named by a variable that holds /opt is a system folder like /opt itself: it is not given away",
            unsafe=True,
        ),
        Invalid(
            "FROM alpine:3.20\nCOPY elasticsearch_exporter /bin/elasticsearch_exporter\nEXPOSE 9108\n"
            "ENTRYPOINT [\"elasticsearch_exporter\"]\n",
            f"FROM alpine:3.20\nCOPY elasticsearch_exporter /bin/elasticsearch_exporter\n{BUSYBOX_CREATE}\n"
            "USER 10001:10001\nEXPOSE 9108\nENTRYPOINT [\"elasticsearch_exporter\"]\n",
            "an exporter named after Elasticsearch is not the server: it writes nothing under a root-owned home",
            unsafe=True,
        ),
        Invalid(
            "FROM node:0.12.7\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD [\"node\", \"index.js\"]\n",
            "FROM node:0.12.7\nWORKDIR /app\nCOPY --chown=10001:10001 . .\nRUN npm install\n"
            "RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-log-init --create-home app \\\n"
            " && chown 10001:10001 /app\nUSER 10001:10001\nCMD [\"node\", \"index.js\"]\n",
            "node images built before November 2016 (0.x, 5.x) have no `node` account: one is made",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN groupadd -g 1500 svc && useradd -u 1500 -g svc -m svc\nCOPY svc /usr/bin/\nCMD [\"svc\"]\n",
            "FROM debian:12\nRUN groupadd -g 1500 svc && useradd -u 1500 -g svc -m svc\nCOPY svc /usr/bin/\nUSER 1500:1500\nCMD [\"svc\"]\n",
            "reuse the account the file creates, numerically",
            unsafe=True,
        ),
        Invalid(
            "FROM alpine\nRUN addgroup -S web && adduser -S -G web web\nCMD [\"web\"]\n",
            "FROM alpine\nRUN addgroup -S web && adduser -u 10001 -S -G web web\nUSER 10001\nCMD [\"web\"]\n",
            "no UID where the file creates the account: it gets 10001 there (BusyBox -u), and USER is numeric",
            unsafe=True,
        ),
        Invalid(
            "FROM python:3.12-slim\nRUN useradd --create-home worker \\\n && pip install celery\nCMD [\"celery\", \"worker\"]\n",
            "FROM python:3.12-slim\nRUN useradd --no-log-init --uid 10001 --create-home worker \\\n && pip install celery\nUSER 10001\nCMD [\"celery\", \"worker\"]\n",
            "useradd without a UID gets --uid 10001 (and --no-log-init, or the UID's lastlog record bloats the layer)",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN adduser --system --group svc\nCOPY svc /usr/bin/\nCMD [\"svc\"]\n",
            "FROM debian:12\nRUN adduser --uid 10001 --system --group svc\nCOPY svc /usr/bin/\nUSER 10001\nCMD [\"svc\"]\n",
            "Debian's adduser takes --uid",
            unsafe=True,
        ),
        Invalid(
            "FROM alpine\nRUN adduser -D web\nEXPOSE 10001\nCMD [\"web\"]\n",
            "FROM alpine\nRUN adduser -D web\nUSER web\nEXPOSE 10001\nCMD [\"web\"]\n",
            "the file already uses the number 10001: the account keeps its UID and USER names it",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN [\"/bin/sh\", \"-c\", \"useradd -m svc\"]\nCMD [\"svc\"]\n",
            "FROM debian:12\nRUN [\"/bin/sh\", \"-c\", \"useradd -m svc\"]\nUSER svc\nCMD [\"svc\"]\n",
            "an exec-form RUN is never edited: USER names the account",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN useradd -u 1500 -G audio player\nCMD [\"player\"]\n",
            "FROM debian:12\nRUN useradd -u 1500 -G audio player\nUSER 1500\nCMD [\"player\"]\n",
            "supplementary groups: the UID alone keeps them (no group in USER)",
            unsafe=True,
        ),
        Invalid(
            "FROM golang:1.22 AS build\nRUN useradd -u 10001 gopher\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /etc/passwd /etc/passwd\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n",
            "FROM golang:1.22 AS build\nRUN useradd -u 10001 gopher\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /etc/passwd /etc/passwd\nCOPY --from=build /app /app\nUSER 10001\nENTRYPOINT [\"/app\"]\n",
            "scratch that copies /etc/passwd from a stage that creates the account",
            unsafe=True,
        ),
        Invalid(
            "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n",
            "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\nUSER 65532:65532\nENTRYPOINT [\"/app\"]\n",
            "distroless: numeric nonroot only",
            unsafe=True,
        ),
        Invalid(
            "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]",
            "FROM scratch\nCOPY app /app\nUSER 65532:65532\nENTRYPOINT [\"/app\"]",
            "scratch, no final newline",
            unsafe=True,
        ),
        Invalid(
            "FROM python:3.12 AS base\r\nRUN pip install flask\r\nFROM base\r\nCOPY . /srv\r\nCMD [\"flask\", \"run\"]\r\n",
            f"FROM python:3.12 AS base\r\nRUN pip install flask\r\nFROM base\r\nCOPY . /srv\r\n{SHADOW_CREATE}\r\nUSER 10001:10001\r\nCMD [\"flask\", \"run\"]\r\n",
            "CRLF kept; the family is inherited from the in-file base stage",
            unsafe=True,
        ),
        Invalid(
            "FROM registry.example.com/team/base:1\nRUN yum install -y httpd-tools && yum clean all\nCOPY server /srv/\nENTRYPOINT [\"/srv/server\"]\n",
            f"FROM registry.example.com/team/base:1\nRUN yum install -y httpd-tools && yum clean all\nCOPY server /srv/\n{SHADOW_CREATE}\nUSER 10001:10001\nENTRYPOINT [\"/srv/server\"]\n",
            "unknown image with its own ENTRYPOINT: the family comes from yum",
            unsafe=True,
        ),
        Invalid(
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y python3\nCMD python3 -m http.server 8080\nCOPY web /web\n",
            f"FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y python3\nCMD python3 -m http.server 8080\nCOPY web /web\n{SHADOW_CREATE}\nUSER 10001:10001\n",
            "after the last build step even when it follows CMD",
            unsafe=True,
        ),
        Invalid(
            "# escape=`\nFROM debian\nRUN apt-get update `\n && apt-get install -y curl\nCMD [\"curl\"]\n",
            f"# escape=`\nFROM debian\nRUN apt-get update `\n && apt-get install -y curl\n{SHADOW_CREATE}\nUSER 10001:10001\nCMD [\"curl\"]\n",
            "backtick escape",
            unsafe=True,
        ),
        Invalid(
            "FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\nCOPY inventory /usr/local/bin/\nRUN cd /var/lib && mkdir inventory\nENTRYPOINT [\"inventory\"]\n",
            "FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\nCOPY inventory /usr/local/bin/\nRUN cd /var/lib && mkdir inventory\n"
            f"{BUSYBOX_CREATE} \\\n && chown -R 10001:10001 /var/lib/inventory\nUSER 10001:10001\nENTRYPOINT [\"inventory\"]\n",
            "a data folder the file creates is given to the new user in the RUN that creates the account",
            unsafe=True,
        ),
        Invalid(
            "FROM tomcat:9-jdk17\nCOPY app.war /usr/local/tomcat/webapps/ROOT.war\nEXPOSE 8080\nCMD [\"catalina.sh\", \"run\"]\n",
            "FROM tomcat:9-jdk17\nCOPY --chown=10001:10001 app.war /usr/local/tomcat/webapps/ROOT.war\n"
            f"{SHADOW_CREATE} \\\n && chown 10001:10001 /usr/local/tomcat/webapps"
            " && chown -R 10001:10001 /usr/local/tomcat/work /usr/local/tomcat/temp /usr/local/tomcat/logs\n"
            "USER 10001:10001\nEXPOSE 8080\nCMD [\"catalina.sh\", \"run\"]\n",
            "Tomcat writes work/, temp/ and logs/ under its home, and unpacks WARs in webapps/: they are given to the user",
            unsafe=True,
        ),
        Invalid(
            "FROM tomcat:9\nCOPY app.war /usr/local/tomcat/webapps/ROOT.war\n",
            "FROM tomcat:9\nCOPY --chown=10001:10001 app.war /usr/local/tomcat/webapps/ROOT.war\n"
            f"{SHADOW_CREATE} \\\n && chown 10001:10001 /usr/local/tomcat/webapps"
            " && chown -R 10001:10001 /usr/local/tomcat/work /usr/local/tomcat/temp /usr/local/tomcat/logs\n"
            "USER 10001:10001\n",
            "no CMD, but a server image's own command runs the WAR: an app, not a base image",
            unsafe=True,
        ),
        Invalid(
            "FROM ruby:3.3\nWORKDIR /app\nCOPY . .\nRUN bundle install\nCMD [\"bundle\", \"exec\", \"rails\", \"server\"]\n",
            "FROM ruby:3.3\nWORKDIR /app\nCOPY --chown=10001:10001 . .\nRUN bundle install\n"
            f"{SHADOW_CREATE} \\\n && mkdir -p /app/tmp /app/log && chown 10001:10001 /app && chown -R 10001:10001 /app/tmp /app/log\n"
            "USER 10001:10001\nCMD [\"bundle\", \"exec\", \"rails\", \"server\"]\n",
            "Rails writes tmp/ and log/ in the app folder: created if missing and given to the user",
            unsafe=True,
        ),
        Invalid(
            "FROM eclipse-temurin:17\nWORKDIR /srv/shop\nCOPY shop /srv/shop\nCMD [\"target/universal/stage/bin/shop\"]\n",
            "FROM eclipse-temurin:17\nWORKDIR /srv/shop\nCOPY --chown=10001:10001 shop /srv/shop\n"
            f"{SHADOW_CREATE} \\\n && chown 10001:10001 /srv/shop /srv/shop/target/universal/stage\n"
            "USER 10001:10001\nCMD [\"target/universal/stage/bin/shop\"]\n",
            "a Play app writes RUNNING_PID in its staged folder",
            unsafe=True,
        ),
        Invalid(
            "FROM php:8.3-cli-alpine\nWORKDIR /app\nCOPY . .\nCMD [\"php\", \"worker.php\"]\n",
            "FROM php:8.3-cli-alpine\nWORKDIR /app\nCOPY --chown=82:82 . .\nRUN chown 82:82 /app\nUSER 82:82\n"
            "CMD [\"php\", \"worker.php\"]\n",
            "php ships `www-data` (82 on Alpine); /srv is a shared system folder and keeps its owner",
            unsafe=True,
        ),
        Invalid(
            "FROM php:8.3-cli\nWORKDIR /app\nCOPY . .\nCMD [\"php\", \"worker.php\"]\n",
            "FROM php:8.3-cli\nWORKDIR /app\nCOPY --chown=33:33 . .\nRUN chown 33:33 /app\nUSER 33:33\nCMD [\"php\", \"worker.php\"]\n",
            "php ships `www-data` (33 on Debian): the same account as on Alpine",
            unsafe=True,
        ),
        # must-not-apply: report only
        Invalid("FROM nginx:1.25\nCOPY site /usr/share/nginx/html\n", why="nginx's master process needs root"),
        Invalid("FROM debian\nRUN apt-get install -y nginx\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n", why="nginx as the process"),
        Invalid("FROM ubuntu\nRUN apt-get install -y openssh-server\nCMD [\"/usr/sbin/sshd\", \"-D\"]\n", why="sshd"),
        Invalid("FROM postgres:16\nCOPY init.sql /docker-entrypoint-initdb.d/\n", why="postgres' entrypoint drops privileges"),
        Invalid("FROM redis:7\nCOPY redis.conf /etc/redis/\nCMD [\"redis-server\", \"/etc/redis/redis.conf\"]\n", why="redis"),
        Invalid("FROM mysql:8\nCOPY my.cnf /etc/mysql/conf.d/\n", why="mysql's entrypoint drops privileges"),
        Invalid("FROM python:3.12\nRUN pip install supervisor\nCMD [\"supervisord\", \"-n\"]\n", why="supervisord"),
        Invalid(
            "FROM debian\nRUN apt-get install -y gosu\nCOPY entrypoint.sh /\nENTRYPOINT [\"/entrypoint.sh\"]\n",
            why="gosu: the entrypoint drops privileges",
        ),
        Invalid("FROM alpine\nRUN apk add su-exec\nENTRYPOINT [\"su-exec\", \"app\", \"/app\"]\n", why="su-exec"),
        Invalid("FROM python:3.12\nCOPY . /app\nEXPOSE 80\nCMD [\"python\", \"/app/main.py\"]\n", why="EXPOSE below 1024"),
        Invalid("FROM python:3.12\nCOPY . /app\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:80\", \"app:app\"]\n", why="a listen address below 1024"),
        Invalid("FROM node:20\nCOPY . .\nENV PORT=443\nCMD [\"node\", \"server.js\"]\n", why="ENV PORT below 1024"),
        Invalid("FROM mcr.microsoft.com/dotnet/aspnet:6.0\nCOPY out /app\nENTRYPOINT [\"dotnet\", \"/app/app.dll\"]\n", why=".NET < 8 listens on port 80"),
        Invalid(
            "FROM mcr.microsoft.com/dotnet/aspnet:8.0\nCOPY out /app\nENTRYPOINT [\"dotnet\", \"/app/app.dll\"]\n",
            "FROM mcr.microsoft.com/dotnet/aspnet:8.0\nCOPY out /app\nUSER 1654:1654\nENTRYPOINT [\"dotnet\", \"/app/app.dll\"]\n",
            ".NET 8+ ships `app` and listens on 8080",
            unsafe=True,
        ),
        Invalid("FROM debian\nRUN apt-get install -y curl\nONBUILD COPY . /app\nCMD [\"bash\"]\n", why="ONBUILD: a base image"),
        Invalid("FROM debian\nRUN apt-get update && apt-get install -y build-essential\n", why="no CMD/ENTRYPOINT: a base image"),
        Invalid("FROM python:3.12\nRUN pip install requests\nCMD [\"python3\"]\n", why="a bare interpreter CMD: a base image"),
        Invalid(
            "# Container image that runs your code\nFROM alpine:3.19\nCOPY entry /usr/local/bin/entry\n"
            "ENTRYPOINT [\"entry\"]\n",
            why="GitHub's template for a Docker container action: GitHub runs it as root",
        ),
        Invalid(
            "FROM alpine:3.19\nCOPY entry /usr/local/bin/entry\nENTRYPOINT [\"entry\"]\n",
            why="an action.yml next to the Dockerfile: a GitHub Action",
            context={"action.yml": "runs:\n  using: docker\n  image: Dockerfile\n", "entry": ""},
        ),
        Invalid(
            "FROM python:3.12-slim\nRUN pip install 'uWSGI>=2.0,<2.1'\nEXPOSE 5000\nCMD [\"uwsgi\"]\n",
            why="a bare application server and no application copied in: a base image for the builds that add one",
        ),
        Invalid(
            "FROM python:3.12-slim\nRUN pip install gunicorn\nCOPY app.py /app/\nWORKDIR /app\nCMD [\"gunicorn\"]\n",
            "FROM python:3.12-slim\nRUN pip install gunicorn\nCOPY --chown=10001:10001 app.py /app/\nWORKDIR /app\n"
            "RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-log-init --create-home app \\\n"
            " && chown 10001:10001 /app\nUSER 10001:10001\nCMD [\"gunicorn\"]\n",
            "the application is copied in (gunicorn reads its settings from files next to it): an app image",
            unsafe=True,
        ),
        Invalid("FROM node:20\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\"]\n", why="docker-entrypoint.sh + node: a base image"),
        Invalid("FROM debian:12\nRUN apt-get update && apt-get install -y php-cli\nCMD [\"php\", \"-a\"]\n", why="php -a: a base image"),
        Invalid("FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y git\nCMD bash\n", why="a bare shell CMD: a base image"),
        Invalid(
            "FROM debian:12\nCOPY docker-php-ext-* docker-php-source /usr/local/bin/\nCMD [\"php\", \"-S\", \"0.0.0.0:8080\"]\n",
            why="docker-library helper scripts: a base image",
        ),
        Invalid("FROM python:3.12\nWORKDIR /root/app\nCOPY . .\nCMD [\"python\", \"main.py\"]\n", why="a WORKDIR under /root (mode 0700)"),
        Invalid("FROM python:3.12\nCOPY . /app\nCMD [\"python\", \"/root/run.py\"]\n", why="the command reads under /root"),
        Invalid(
            "FROM node:20\nRUN npm config set registry https://npm.example.com\nCOPY . /app\nCMD [\"node\", \"/app/index.js\"]\n",
            why="root's dotfiles configured",
        ),
        Invalid("FROM python:3.12\nCOPY . /app\nCMD [\"pip\", \"install\", \"-r\", \"/app/req.txt\"]\n", why="a package install at run time"),
        Invalid("FROM debian:12\nRUN apt-get update && apt-get install -y iptables\nCMD [\"/fw.sh\"]\n", why="privileged network tools"),
        Invalid(
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y mysql-server\nCOPY start.sh /\nCMD [\"/start.sh\"]\n",
            why="a start script launching an installed service",
        ),
        Invalid("FROM debian:12\nRUN useradd -u 2000 svc && chown -R www-data /srv/www\nCMD [\"svc\"]\n", why="chown to another account"),
        Invalid(
            "FROM python:3.12\n# Doing `USER www-data` incurs permission problems\nCOPY . /app\nCMD [\"python\", \"/app/main.py\"]\n",
            why="the author's own comment about USER",
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nCOPY run.sh /\nENTRYPOINT [\"chroot\", \"--userspec=1000\", \"/\", \"/run.sh\"]\n",
            why="chroot --userspec: the entrypoint drops privileges",
        ),
        Invalid(
            "FROM gcr.io/distroless/static-debian12\nWORKDIR /data\nCOPY app /app\nENTRYPOINT [\"/app\"]\n",
            why="a WORKDIR to give away, and no shell to chown it",
        ),
        Invalid("FROM python:3.12\nRUN mkdir -p $DATA_DIR\nCMD [\"python\", \"-m\", \"app\"]\n", why="a folder dfix cannot place"),
        Invalid(
            "FROM ruby:3.3\nWORKDIR /app\nCOPY . .\nRUN bundle install && rake db:setup\nCMD [\"rails\", \"server\"]\n",
            why="a SQLite database created at build time, root-owned",
        ),
        Invalid("FROM alpine:3.20\nCOPY rootfs /\nCMD [\"/sbin/start_runit\"]\n", why="an init system's start script"),
        Invalid("FROM alpine:3.20\nCOPY confd /etc/confd\nCMD [\"confd\", \"-watch\"]\n", why="confd renders into /etc"),
        Invalid("FROM debian:12\nENV HOME=/root\nCOPY agent /usr/bin/\nCMD [\"agent\"]\n", why="HOME is root's home"),
        Invalid(
            "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nENV LOG_DIR=/var/log\nCMD [\"node\", \"server.js\"]\n",
            why="an ENV points the process at a root-owned system folder",
        ),
        Invalid(
            "FROM node:20\nWORKDIR /app\nCOPY . .\nCMD [\"sh\", \"-c\", \"envsubst < env.tpl > src/env.js && npm start\"]\n",
            why="the command writes a file as it starts",
        ),
        Invalid("FROM python:3.12\nCOPY . .\nCMD [\"python\", \"main.py\"]\n", why="the app lives in / (no WORKDIR)"),
        Invalid("FROM python:3.12\nWORKDIR /opt\nCOPY detect.py .\nCMD [\"python\", \"detect.py\"]\n",
                why="the app runs in /opt, a shared system folder the fix does not give: it may write there"),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y sasl2-bin\nCOPY entrypoint.sh /\n"
            "ENTRYPOINT [\"/entrypoint.sh\"]\nCMD [\"-a\", \"ldap\"]\n",
            why="an entrypoint script runs a program the file does not name",
        ),
        Invalid("FROM alpine:3.20\nCOPY crontab /crontab\nRUN crontab /crontab\nCMD [\"/start.sh\"]\n", why="root's crontab"),
        Invalid(
            "FROM alpine:3.7\nRUN apk add --no-cache bash\nCOPY echo.sh /\nRUN chmod +x echo.sh\n"
            "ENTRYPOINT [\"/bin/bash\", \"-c\", \"./echo.sh\"]\n",
            why="bash -c runs a copied script that cannot be read without the build context",
        ),
        Invalid(
            "FROM ubuntu:22.04\nRUN bash Miniconda3-latest-Linux-x86_64.sh -b\nCOPY nb.sh /\nCMD [\"/nb.sh\"]\n",
            why="conda installed into root's home",
        ),
        Invalid("FROM python:3.12\nVOLUME /data\nCMD [\"python\", \"-m\", \"app\"]\n", why="a VOLUME the app writes to"),
        Invalid(
            "FROM node:20\nWORKDIR /opt/app\nCOPY . .\nRUN npm ci\n"
            "# Only used on the web host; docker-compose overrides the command for the workers.\nCMD [\"node\", \"index.js\"]\n",
            why="the author says the command is overridden: the container runs commands the file does not show",
        ),
        Invalid(
            "FROM node:20-alpine\nCOPY lint.js /usr/local/lib/lint/\nWORKDIR /src\nCMD [\"node\", \"/usr/local/lib/lint/lint.js\"]\n",
            why="a tool whose WORKDIR the build leaves empty works on a checkout mounted there, owned on the host",
        ),
        Invalid(
            "FROM python:3.12-slim\nRUN pip install ruff && mkdir -p /work\nWORKDIR /work\nENTRYPOINT [\"ruff\", \"check\", \"--fix\", \".\"]\n",
            why="a folder the build only creates stays empty: the linter fixes files mounted there",
        ),
        Invalid(
            "FROM python:3.12-slim\nCOPY rootfs/ /\nWORKDIR /srv/app\nCMD [\"python\", \"main.py\"]\n",
            "FROM python:3.12-slim\nCOPY rootfs/ /\nWORKDIR /srv/app\n"
            f"{SHADOW_CREATE} \\\n && chown 10001:10001 /srv/app\nUSER 10001:10001\nCMD [\"python\", \"main.py\"]\n",
            "the build context's rootfs/ holds srv/app/: the WORKDIR is not an empty workspace",
            unsafe=True, context={"rootfs/srv/app/main.py": "print('hello')\n"},
        ),
        Invalid(
            "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y git && git clone https://example.com/app.git src\n"
            "WORKDIR /src\nCMD [\"python\", \"main.py\"]\n",
            "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y git && git clone https://example.com/app.git src\n"
            f"WORKDIR /src\n{SHADOW_CREATE} \\\n && chown 10001:10001 /src\nUSER 10001:10001\nCMD [\"python\", \"main.py\"]\n",
            "a clone into `src`, run in /, fills the WORKDIR",
            unsafe=True,
        ),
        Invalid("FROM company/base:1\nCOPY app /app\nENTRYPOINT [\"/app\"]\n", why="unknown image, no commands: unknown family"),
        Invalid(
            "FROM alpine:3.20\nRUN apk add --no-cache tini python3\nWORKDIR /app\nCOPY app.py .\n"
            "ENTRYPOINT [\"/sbin/tini\", \"--\"]\nCMD [\"python3\", \"app.py\"]\n",
            f"FROM alpine:3.20\nRUN apk add --no-cache tini python3\nWORKDIR /app\nCOPY --chown=10001:10001 app.py .\n"
            f"{BUSYBOX_CREATE} \\\n && chown 10001:10001 /app\nUSER 10001:10001\n"
            "ENTRYPOINT [\"/sbin/tini\", \"--\"]\nCMD [\"python3\", \"app.py\"]\n",
            "tini in /sbin is not a system daemon: it runs the CMD as whatever user starts it",
            unsafe=True,
        ),
        Invalid(
            "FROM java:8\nENV HZ_HOME=/opt/hazelcast\nWORKDIR $HZ_HOME\nADD start.sh $HZ_HOME/\nEXPOSE 5701\n"
            "ENTRYPOINT [\"./start.sh\"]\n",
            why="the start script lands in a folder named by a variable: still a script the file does not show",
        ),
        Invalid(
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y --no-install-recommends lynx && "
            "rm -rf /var/lib/apt/lists/*\nCMD [\"lynx\", \"-h\"]\n",
            why="a CMD that only asks for help: every use runs the tool with its own arguments, on mounted files",
        ),
        Invalid(
            "FROM python:3.12-slim\nRUN pip install --no-cache-dir ansible\nWORKDIR /work\nCOPY site.yml .\n"
            "CMD [\"ansible-playbook\", \"site.yml\"]\n",
            why="Ansible connects with the keys of the user it runs as, usually mounted into /root",
        ),
        Invalid(
            "FROM alpine:3.20\nWORKDIR /oscalkit\nCOPY --from=golang:1.22 /usr/local/go/bin/gofmt /oscalkit-linux-x86_64\n"
            "RUN ln -s /oscalkit-linux-x86_64 /usr/local/bin/oscalkit\nENTRYPOINT [\"oscalkit\"]\n",
            why="the WORKDIR gets no files (the RUN there only links by absolute path): a workspace mounted at run time",
        ),
        Invalid(
            "FROM node:20-alpine\nRUN npm install -g aglio\nENTRYPOINT [\"aglio\"]\n",
            why="a command-line tool installed by the build, run in / with no port: it works on files mounted from "
                "the host, which a new user may not be able to write",
        ),
        Invalid(
            "FROM company/base:1\nRUN apt-get update && apt-get install -y curl\nCMD [\"curl\"]\n",
            why="unknown image: its inherited ENTRYPOINT may drop privileges",
        ),
        Invalid("FROM company/base:1\nRUN sudo apt-get install -y curl\nCMD [\"curl\"]\n", why="sudo: the build user is not root"),
        Invalid(
            "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install -y python3\nCMD [\"python3\", \"app.py\"]\n",
            why="ubi-minimal has no useradd",
        ),
        Invalid("FROM amazonlinux:2023\nRUN dnf install -y python3\nCMD [\"python3\", \"app.py\"]\n", why="Amazon Linux has no useradd"),
        Invalid("FROM debian\nRUN useradd a && useradd b\nCMD [\"x\"]\n", why="several accounts: which one?"),
        Invalid("FROM alpine\nRUN apt-get install -y x\nCMD [\"x\"]\n", why="commands contradict the base image"),
        Invalid(
            "FROM debian\nSHELL [\"/usr/bin/pwsh\", \"-c\"]\nRUN Write-Host hi\nCMD [\"python3\", \"app.py\"]\n",
            why="a non-POSIX SHELL would run the new RUN",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        situation = situation_of(context)
        if situation is None or situation.windows or situation.users:
            return
        facts = situation.facts
        if facts.default_non_root:
            return
        if facts.family == "scratch" and not situation.runtime and not any(isinstance(i, Run) for i in situation.instructions):
            return  # an artifact stage (`FROM scratch` + COPY): nothing runs
        where = situation.final.stage.from_
        message = "the final image runs as root: no stage it is built from sets `USER`"
        reason = situation.runtime_blocker()
        if reason is None and any(c.has_wrapper("sudo") or c.name == "sudo" for c in situation.commands):
            reason = "the build uses `sudo`, so the base image's user is not root"
        if reason is not None:
            yield self.diagnostic(where, message, note=f"not fixed: {reason}")
            return
        plan = plan_new_user(situation)
        if plan.lines is None:
            yield self.diagnostic(where, message, note=f"not fixed: {plan.title}")
            return
        yield self.diagnostic(where, message, [*plan.edits, *user_fix_edits(situation, plan.lines)], title=plan.title,
                              note=f"base-image facts {FACTS_VERSION}", assumes=plan.assumes)
