"""The Slack adapter: Events API and Socket Mode in, Web API out, over slack-bolt.

``translate`` holds the pure conversions (payload -> our message, our message -> API kwargs);
``adapter`` routes bolt's listeners to the service; ``sender`` posts what the relay delivers;
``platform`` wires them into ``intake serve``. Nothing outside this folder imports the SDK.
"""
