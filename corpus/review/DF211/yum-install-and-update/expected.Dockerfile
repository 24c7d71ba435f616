FROM centos:7
RUN yum update -y && \
    yum install -y \
        httpd \
        mod_ssl && \
    yum clean all
