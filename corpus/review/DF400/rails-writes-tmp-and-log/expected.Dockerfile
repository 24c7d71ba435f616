FROM ruby:3.3-slim
WORKDIR /rails
COPY --chown=10001:10001 Gemfile Gemfile.lock ./
RUN bundle install
COPY --chown=10001:10001 . .
RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-log-init --create-home app \
 && mkdir -p /rails/tmp /rails/log && chown 10001:10001 /rails && chown -R 10001:10001 /rails/tmp /rails/log
USER 10001:10001
EXPOSE 3000
CMD ["bundle", "exec", "puma", "-C", "config/puma.rb"]
