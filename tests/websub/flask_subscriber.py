"""A flask-websub subscriber (PyPI `flask-websub`) for tests/websub/flask.rs.

Usage: flask_subscriber.py TOPIC_URL STATE_DIR
Discovers the hub from TOPIC_URL (its Link header), subscribes (no secret:
flask-websub refuses one over plain http), and prints one line per event:
`subscribed <mode>`, `error <reason>`, `notified <bytes> <first item title>`.
Exits after 60 s.
"""
import json
import sys
import threading
import time

from flask import Flask
from flask_websub.subscriber import (Subscriber, SQLite3SubscriberStorage,
                                     SQLite3TempSubscriberStorage, discover)
from werkzeug.serving import make_server

topic, state = sys.argv[1], sys.argv[2]
app = Flask(__name__)
server = make_server('127.0.0.1', 0, app, threaded=True)
app.config['SERVER_NAME'] = '127.0.0.1:%d' % server.server_port
subscriber = Subscriber(SQLite3SubscriberStorage(state + '/subs.sqlite3'),
                        SQLite3TempSubscriberStorage(state + '/temp.sqlite3'))
app.register_blueprint(subscriber.build_blueprint(url_prefix='/callbacks'))


@subscriber.add_success_handler
def success(topic_url, callback_id, mode):
    print('subscribed', mode, flush=True)


@subscriber.add_error_handler
def error(topic_url, callback_id, reason):
    print('error', reason, flush=True)


@subscriber.add_listener
def notified(topic_url, callback_id, body):
    title = json.loads(body)['items'][0]['title']
    print('notified', len(body), title, flush=True)


threading.Thread(target=server.serve_forever, daemon=True).start()
with app.app_context():
    found = discover(topic)
    print('discovered', found['hub_url'], found['topic_url'], flush=True)
    subscriber.subscribe(lease_seconds=3600, **found)
time.sleep(60)
