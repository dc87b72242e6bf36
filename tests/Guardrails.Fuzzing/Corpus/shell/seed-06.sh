cat > /etc/cron.d/agent <<'EOF'
@reboot root python3 /opt/agent/start.py
EOF