module minikube-demo/bench/go

go 1.19
