cat <<EOF; cat <<-'X'
$USER $(id)
EOF
	body
	X
