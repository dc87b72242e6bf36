x=$(cat <<EOF
hi
EOF)
echo "${x#*/}" $[1+1]