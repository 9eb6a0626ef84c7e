import requests

def get_user_profile_with_retry(access_token, refresh_token):
    headers = {'Authorization': f'Bearer {access_token}'}
    
    # 第一次尝试
    response = requests.get('http://localhost:5000/api/v1/users/profile', headers=headers)
    
    if response.status_code == 200:
        return response.json()
    
    # 如果token过期，尝试刷新
    if response.status_code == 401:
        refresh_response = requests.post('http://localhost:5000/api/v1/auth/refresh', 
                                       json={'refresh_token': refresh_token})
        
        if refresh_response.status_code == 200:
            new_tokens = refresh_response.json()['data']
            # 使用新的access token重试
            headers = {'Authorization': f'Bearer {new_tokens["access_token"]}'}
            response = requests.get('http://localhost:5000/api/v1/users/profile', headers=headers)
            
            if response.status_code == 200:
                return response.json()
    
    return None
